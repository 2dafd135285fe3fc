using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;
using Qwen2VL.Model.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>The native decode attention against LibTorch's attention on the same bf16 caches.</summary>
public sealed class NativeDecodeAttentionTests
{
    private const int Heads = 12;
    private const int KvHeads = 2;
    private const int HeadDim = 128;

    // Cache lengths around the kernel's 64-key softmax blocks, and a long one.
    private static readonly int[] CachedLengths = [0, 6, 63, 64, 299];

    [Fact]
    public void Attend_SequencesOfDifferentLengths_MatchesFloat32AttentionOverEachCache()
    {
        if (!LinearProjection_NativeKernelAvailable())
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (q, k, v, caches, segments) = Step(CachedLengths, seed: 5);
        try
        {
            var actual = NativeDecodeAttention.Attend(q, k, v, segments, 0, Heads, KvHeads, HeadDim);

            Assert.Equal(ScalarType.BFloat16, actual.dtype);
            Assert.Equal(new long[] { CachedLengths.Length, Heads * HeadDim }, actual.shape);
            for (int s = 0; s < segments.Count; s++)
            {
                var expected = Reference(q.narrow(0, s, 1), caches[s], segments[s].TotalTokens);
                var error = (actual.narrow(0, s, 1).to(ScalarType.Float32) - expected).abs();
                var bound = (expected.abs() * (1.0 / 128)) + 2e-3;
                Assert.True(error.le(bound).all().item<bool>(), $"sequence {s}: max error {error.max().item<float>()}");
            }
        }
        finally
        {
            caches.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void Attend_EachSequenceOfAStep_EqualsThatSequenceAttendedAlone()
    {
        if (!LinearProjection_NativeKernelAvailable())
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (q, k, v, caches, segments) = Step(CachedLengths, seed: 6);
        try
        {
            var together = NativeDecodeAttention.Attend(q, k, v, segments, 0, Heads, KvHeads, HeadDim);
            for (int s = 0; s < segments.Count; s++)
            {
                using var alone = new SegmentPlan(caches[s], 0, segments[s].CachedTokens, 1, Heads / KvHeads, CPU);
                var single = NativeDecodeAttention.Attend(q.narrow(0, s, 1), k.narrow(0, s, 1), v.narrow(0, s, 1), [alone], 0, Heads, KvHeads, HeadDim);
                Assert.True(single.eq(together.narrow(0, s, 1)).all().item<bool>(), $"sequence {s} depends on its neighbours");
            }
        }
        finally
        {
            caches.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void Supports_Bf16QueriesWithTheHeadSizesItWasBuiltFor()
    {
        if (!LinearProjection_NativeKernelAvailable())
        {
            return;
        }

        using var scope = NewDisposeScope();
        var q = randn(2, Heads, HeadDim).to(ScalarType.BFloat16);
        Assert.True(NativeDecodeAttention.Supports(q, Heads, KvHeads, HeadDim));
        Assert.False(NativeDecodeAttention.Supports(q.to(ScalarType.Float32), Heads, KvHeads, HeadDim));
        Assert.False(NativeDecodeAttention.Supports(q, Heads, KvHeads, 80));
        Assert.False(NativeDecodeAttention.Supports(q, Heads, KvHeads, 512));
    }

    [Fact]
    public void Attend_SegmentOfSeveralTokens_IsRefused()
    {
        if (!LinearProjection_NativeKernelAvailable())
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (q, k, v, caches, _) = Step([3, 5], seed: 7);
        using var prefill = new SegmentPlan(caches[0], 0, 0, 2, Heads / KvHeads, CPU);
        try
        {
            Assert.Throws<ArgumentException>(() => NativeDecodeAttention.Attend(q, k, v, [prefill], 0, Heads, KvHeads, HeadDim));
        }
        finally
        {
            caches.ForEach(c => c.Dispose());
        }
    }

    // The decode kernels ship in one library: when the products kernel is there, so is this one.
    private static bool LinearProjection_NativeKernelAvailable() => Model.Layers.LinearProjection.NativeKernelAvailable;

    private static (Tensor Q, Tensor K, Tensor V, List<KvCache> Caches, List<SegmentPlan> Segments) Step(int[] cachedLengths, int seed)
    {
        var generator = new Generator(seed: (ulong)seed);
        var placement = new ModelPlacement(ScalarType.BFloat16, CPU);
        int n = cachedLengths.Length;
        var q = randn(new long[] { n, Heads, HeadDim }, generator: generator).to(ScalarType.BFloat16);
        var k = randn(new long[] { n, KvHeads, HeadDim }, generator: generator).to(ScalarType.BFloat16);
        var v = randn(new long[] { n, KvHeads, HeadDim }, generator: generator).to(ScalarType.BFloat16);
        var caches = new List<KvCache>();
        var segments = new List<SegmentPlan>();
        for (int s = 0; s < n; s++)
        {
            // Capacities differ from the lengths, so the kernel must use each cache's own head stride.
            var cache = new KvCache(new LayerRange(0, 1), KvHeads, HeadDim, cachedLengths[s] + 1 + (7 * s), 4096, placement);
            if (cachedLengths[s] > 0)
            {
                cache.Write(0, 0,
                    randn(new long[] { cachedLengths[s], KvHeads, HeadDim }, generator: generator).to(ScalarType.BFloat16),
                    randn(new long[] { cachedLengths[s], KvHeads, HeadDim }, generator: generator).to(ScalarType.BFloat16));
                cache.Commit(cachedLengths[s]);
            }

            caches.Add(cache);
            segments.Add(new SegmentPlan(cache, s, cachedLengths[s], 1, Heads / KvHeads, CPU));
        }

        return (q, k, v, caches, segments);
    }

    /// <summary>Float32 attention of one query token [1, heads, hd] over the cache's first <paramref name="length"/> positions.</summary>
    private static Tensor Reference(Tensor query, KvCache cache, int length)
    {
        var (keys, values) = cache.Read(0, length);
        var q = query.to(ScalarType.Float32).view(KvHeads, Heads / KvHeads, HeadDim);
        var attended = nn.functional.scaled_dot_product_attention(q, keys.to(ScalarType.Float32), values.to(ScalarType.Float32), null, 0.0, false);
        return attended.reshape(1, Heads * HeadDim);
    }
}
