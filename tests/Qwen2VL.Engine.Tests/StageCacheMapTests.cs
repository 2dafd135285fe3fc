using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Engine.Tests.Support;

namespace Qwen2VL.Engine.Tests;

[Collection(TinyModelCollection.Name)]
public sealed class StageCacheMapTests
{
    private readonly TinyModel _model;

    public StageCacheMapTests(TinyModel model) => _model = model;

    [Fact]
    public void Prepare_NewKeys_CreatesCachesRoundedToGrowthAndReservesThem()
    {
        var host = Host(capacity: 256);
        using var map = new StageCacheMap(host);

        var segments = map.Prepare(new[] { new PipelineSegment("a#1", 0, 20), new PipelineSegment("b#2", 0, 70) });

        Assert.Equal(2, map.Count);
        Assert.Equal(new[] { 64, 128 }, segments.Select(s => s.Cache.Capacity));
        Assert.Equal(192, host.Budget.Reserved);
        Assert.Equal(2, host.CachedSequences);
    }

    [Fact]
    public void Prepare_StepBeyondBudget_RefusesWithNumbersAndChangesNothing()
    {
        var host = Host(capacity: 100);
        using var map = new StageCacheMap(host);
        map.Prepare(new[] { new PipelineSegment("a#1", 0, 20) });

        // Prepare alone writes no tokens, so a#1 still holds none: it rolls back to 0 and brings 21.
        var error = Assert.Throws<PipelineStageException>(() => map.Prepare(new[] { new PipelineSegment("a#1", 0, 21), new PipelineSegment("b#2", 0, 40) }));

        Assert.Equal(PipelineErrorCode.CapacityExceeded, error.ErrorCode);
        Assert.Contains("needs 40 more KV tokens for 2 sequences; 36 of 100 are free", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, map.Count);
        Assert.Equal(64, host.Budget.Reserved);
    }

    [Fact]
    public void Prepare_RoundedCapacityDoesNotFitButExactDoes_AllocatesExactly()
    {
        var host = Host(capacity: 50);
        using var map = new StageCacheMap(host);

        var segments = map.Prepare(new[] { new PipelineSegment("a#1", 0, 40) });

        Assert.Equal(40, segments[0].Cache.Capacity);
        Assert.Equal(40, host.Budget.Reserved);
    }

    [Fact]
    public void Prepare_CachedTokensUnknownToStage_ReportsLostState()
    {
        using var map = new StageCacheMap(Host(capacity: 256));

        var error = Assert.Throws<PipelineStageException>(() => map.Prepare(new[] { new PipelineSegment("a#1", 12, 1) }));

        Assert.Equal("stage_state_lost", error.Code);
        Assert.True(error.StateLost);
        Assert.Contains("claims 12 cached tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_RepeatedKey_IsAnInvalidStep()
    {
        using var map = new StageCacheMap(Host(capacity: 256));

        var error = Assert.Throws<PipelineStageException>(() => map.Prepare(new[] { new PipelineSegment("a#1", 0, 1), new PipelineSegment("a#1", 0, 1) }));

        Assert.Equal(PipelineErrorCode.InvalidStep, error.ErrorCode);
        Assert.False(error.Retriable);
    }

    [Fact]
    public void ReleaseAndDispose_ReturnEveryReservedToken()
    {
        var host = Host(capacity: 256);
        var map = new StageCacheMap(host);
        map.Prepare(new[] { new PipelineSegment("a#1", 0, 10), new PipelineSegment("b#2", 0, 10) });

        map.Release(new[] { "a#1", "unknown" });
        Assert.Equal(64, host.Budget.Reserved);
        map.Dispose();

        Assert.Equal(0, host.Budget.Reserved);
        Assert.Equal(0, host.CachedSequences);
    }

    private HostedStage Host(int capacity) => new(_model.Split(3)[2], capacity);
}
