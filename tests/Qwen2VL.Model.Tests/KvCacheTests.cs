using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;
using Qwen2VL.Model.Tests.Support;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

[Collection(ModelCollection.Name)]
public class KvCacheTests
{
    private readonly ModelFixture _model;

    public KvCacheTests(ModelFixture model) => _model = model;

    [Fact]
    public void EnsureCapacity_BeyondCapacity_GrowsByDoublingUpToMax()
    {
        using var cache = new KvCache(new LayerRange(0, 2), 2, 4, initialCapacity: 4, maxCapacity: 10, ModelPlacement.CpuFloat32);
        cache.EnsureCapacity(5);
        Assert.Equal(8, cache.Capacity);
        cache.EnsureCapacity(9);
        Assert.Equal(10, cache.Capacity);
        Assert.Equal(2L * 2 * 2 * 10 * 4 * 4, cache.AllocatedBytes);
    }

    [Fact]
    public void EnsureCapacity_PastMax_ThrowsWithNumbers()
    {
        using var cache = new KvCache(new LayerRange(0, 1), 2, 4, 4, 6, ModelPlacement.CpuFloat32);
        var error = Assert.Throws<KvCacheFullException>(() => cache.EnsureCapacity(7));
        Assert.Equal((7, 6), (error.Requested, error.MaxCapacity));
        Assert.Contains("7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_GrowingCacheAndRollback_GivesSameLogitsAsFreshRun()
    {
        var stage = _model.Stage;
        long[] ids = { 151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13 };
        using var grown = stage.CreateKvCache(initialCapacity: 1, maxCapacity: 64);
        using var fresh = stage.CreateKvCache(initialCapacity: 64, maxCapacity: 64);

        // Token by token into a cache that must grow, then roll back two tokens and redo them as one chunk.
        for (int i = 0; i < ids.Length; i++)
        {
            using var step = stage.Forward(TextInput(grown, i, ids[i..(i + 1)], i));
        }

        Assert.Equal(ids.Length, grown.Length);
        using var redone = stage.Forward(TextInput(grown, ids.Length - 2, ids[^2..], ids.Length - 2));
        using var whole = stage.Forward(TextInput(fresh, 0, ids, 0));
        Assert.Equal(ids.Length, grown.Length);
        Assert.True(TensorAssert.MaxAbsDiff(redone.Logits!, whole.Logits!) <= 1e-4);

        grown.Truncate(3);
        Assert.Equal(3, grown.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => grown.Truncate(4));
    }

    [Fact]
    public void Forward_ImageTokensWithoutFeatures_ThrowsWithBothCounts()
    {
        var stage = _model.Stage;
        long image = stage.Config.ImageTokenId;
        using var cache = stage.CreateKvCache(8, 8);
        using var features = zeros(3, stage.Config.HiddenSize);
        var error = Assert.Throws<ArgumentException>(() => stage.Forward(new StageInput
        {
            Segments = new[] { new SequenceSegment(cache, 0, 4) },
            InputIds = tensor(new[] { 1L, image, image, 2L }),
            PositionIds = Positions(0, 4),
            ImageEmbeds = features,
        }));
        Assert.Equal("image features and image tokens do not match: tokens 2, features 3", error.Message);
        Assert.Equal(0, cache.Length);
    }

    [Fact]
    public void Forward_SegmentClaimsMoreThanCached_Throws()
    {
        var stage = _model.Stage;
        using var cache = stage.CreateKvCache(8, 8);
        var error = Assert.Throws<ArgumentException>(() => stage.Forward(TextInput(cache, 2, new[] { 5L }, 2)));
        Assert.Contains("claims 2 cached tokens, its KV cache holds 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_CacheOfAnotherStage_Throws()
    {
        var stage = _model.Stage;
        using var cache = new KvCache(new LayerRange(0, 1), stage.Config.NumKeyValueHeads, stage.Config.HeadDim, 8, 8, ModelPlacement.CpuFloat32);
        var error = Assert.Throws<ArgumentException>(() => stage.Forward(TextInput(cache, 0, new[] { 5L }, 0)));
        Assert.Contains("[0, 1)", error.Message, StringComparison.Ordinal);
    }

    private static StageInput TextInput(KvCache cache, int cached, long[] ids, long firstPosition) => new()
    {
        Segments = new[] { new SequenceSegment(cache, cached, ids.Length) },
        InputIds = tensor(ids),
        PositionIds = Positions(firstPosition, ids.Length),
    };

    private static Tensor Positions(long first, int count) =>
        arange(first, first + count, dtype: ScalarType.Int64).unsqueeze(0).expand(3, count).contiguous();
}
