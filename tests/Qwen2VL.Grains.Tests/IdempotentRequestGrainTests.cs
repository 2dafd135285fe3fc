using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Idempotency;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class IdempotentRequestGrainTests(ClusterFixture fixture)
{
    private static readonly TurnCompleted Result = new("req", FinishReason.Stop, new TurnUsage(10, 3, 0), "the answer", Replayed: false);

    private IIdempotentRequestGrain NewKey() => fixture.Grains.GetIdempotentRequest("tenant-a", Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task ClaimAsync_AfterComplete_ReplaysTheStoredResult()
    {
        var grain = NewKey();
        Assert.Equal(ClaimOutcome.Claimed, (await grain.ClaimAsync("fp")).Outcome);
        await grain.CompleteAsync("fp", Result);

        var again = await grain.ClaimAsync("fp");

        Assert.Equal(ClaimOutcome.Completed, again.Outcome);
        Assert.Equal(Result, again.Result);
    }

    [Fact]
    public async Task ClaimAsync_WhileClaimed_IsInProgressForTheSameRequestAndReusedForAnother()
    {
        var grain = NewKey();
        await grain.ClaimAsync("fp");

        Assert.Equal(ClaimOutcome.InProgress, (await grain.ClaimAsync("fp")).Outcome);
        Assert.Equal(ClaimOutcome.KeyReused, (await grain.ClaimAsync("other")).Outcome);
    }

    [Fact]
    public async Task ClaimAsync_CompletedKeyWithAnotherBody_IsKeyReused()
    {
        var grain = NewKey();
        await grain.ClaimAsync("fp");
        await grain.CompleteAsync("fp", Result);

        var claim = await grain.ClaimAsync("different");

        Assert.Equal(ClaimOutcome.KeyReused, claim.Outcome);
        Assert.Null(claim.Result);
    }

    [Fact]
    public async Task ClaimAsync_AfterAbandon_CanBeClaimedAgain()
    {
        var grain = NewKey();
        await grain.ClaimAsync("fp");
        await grain.AbandonAsync("fp");

        Assert.Equal(ClaimOutcome.Claimed, (await grain.ClaimAsync("fp")).Outcome);
    }

    [Fact]
    public async Task ClaimAsync_AfterRetention_TheKeyIsFreeAgain()
    {
        var grain = NewKey();
        await grain.ClaimAsync("fp");
        await grain.CompleteAsync("fp", Result);

        fixture.Clock.Advance(TimeSpan.FromHours(25));

        Assert.Equal(ClaimOutcome.Claimed, (await grain.ClaimAsync("another body")).Outcome);
    }

    [Fact]
    public async Task CompleteAsync_WithoutClaim_Throws()
    {
        var grain = NewKey();

        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.CompleteAsync("fp", Result));
    }

    [Fact]
    public void For_TenantWithSlash_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => IdempotencyKeys.For("a/b", "key"));
        Assert.Equal("tenant-a/key:1", IdempotencyKeys.For("tenant-a", "key:1"));
    }
}
