using Qwen2VL.Engine.Tests.Support;

namespace Qwen2VL.Engine.Tests;

/// <summary>
/// Stateless prefix reuse: a request names the keys its conversation's earlier prefixes were kept under, and the engine
/// continues the first kept cache it finds. Turns are golden case e (turn 2 = turn-1 prompt + answer + new message).
/// </summary>
[Collection(TinyModelCollection.Name)]
[Trait("Category", "Golden")]
public sealed class EnginePrefixReuseTests
{
    private const string Turn1Key = "t/prefix/turn1";
    private const string Turn2Key = "t/prefix/turn2";

    private readonly TinyModel _model;

    public EnginePrefixReuseTests(TinyModel model) => _model = model;

    private static GoldenPrompt Turn1 => GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn1_0", StringComparison.Ordinal));

    private static GoldenPrompt Turn2 => GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn2_0", StringComparison.Ordinal));

    [Fact]
    public async Task Generate_ReuseKeyOfPreviousRequest_ReportsSharedPrefixAndEqualsReference()
    {
        var (turn1, turn2) = (Turn1, Turn2);
        await using var engine = _model.Engine();

        var first = await EngineRun.CollectAsync(engine, turn1.Request(Turn1Key, turn1.ExpectedTokens.Length, keepCache: true));
        var second = await EngineRun.CollectAsync(engine, turn2.Request(Turn2Key, turn2.ExpectedTokens.Length, keepCache: true) with { ReuseKeys = ["t/prefix/none", Turn1Key] });

        Assert.Equal(turn1.ExpectedTokens, first.Tokens);
        Assert.Equal(turn2.ExpectedTokens, second.Tokens);
        // The turn-1 prompt and every answer token but the last (sampled, never fed back) came from the kept cache.
        Assert.Equal(turn1.Tokens.Length + turn1.ExpectedTokens.Length - 1, second.Prompt!.CachedPromptTokens);
        Assert.Equal(1, engine.Snapshot().IdleCaches);
    }

    [Fact]
    public async Task Generate_ReuseKeyNotKept_PrefillsEverythingAndEqualsReference()
    {
        var (turn1, turn2) = (Turn1, Turn2);
        await using var engine = _model.Engine();
        await EngineRun.CollectAsync(engine, turn1.Request(Turn1Key, turn1.ExpectedTokens.Length, keepCache: true));

        // What an altered earlier message or another tenant amounts to here: keys nothing was kept under.
        var other = await EngineRun.CollectAsync(engine, turn2.Request("u/prefix/turn2", turn2.ExpectedTokens.Length, tenant: "u") with { ReuseKeys = ["u/prefix/turn1"] });

        Assert.Equal(0, other.Prompt!.CachedPromptTokens);
        Assert.Equal(turn2.ExpectedTokens, other.Tokens);
    }

    [Fact]
    public async Task Generate_ReuseKeyOfAnotherTenant_IsRejectedAndTheCacheStaysKept()
    {
        var (turn1, turn2) = (Turn1, Turn2);
        await using var engine = _model.Engine();
        await EngineRun.CollectAsync(engine, turn1.Request(Turn1Key, turn1.ExpectedTokens.Length, keepCache: true));

        var error = await Assert.ThrowsAsync<EngineRejectedException>(() =>
            EngineRun.CollectAsync(engine, turn2.Request("u/prefix/turn2", 2, tenant: "u") with { ReuseKeys = [Turn1Key] }));
        var owner = await EngineRun.CollectAsync(engine, turn2.Request(Turn2Key, 2) with { ReuseKeys = [Turn1Key] });

        Assert.Equal("invalid_cache_key", error.Code);
        Assert.False(error.Retriable);
        Assert.Equal(turn1.Tokens.Length + turn1.ExpectedTokens.Length - 1, owner.Prompt!.CachedPromptTokens);
    }

    [Fact]
    public async Task Generate_ReuseKeyWhoseCacheDiverges_ReusesOnlyTheSharedTokensAndEqualsReference()
    {
        var text = GoldenPrompts.Get("a_text_only/0");
        var turn1 = Turn1;
        await using var engine = _model.Engine();
        await EngineRun.CollectAsync(engine, text.Request(Turn1Key, 3, keepCache: true));

        // As if a key had collided: the token check still limits reuse to what both prompts share (the system prompt
        // and the user header), so the answer cannot change.
        var result = await EngineRun.CollectAsync(engine, turn1.Request(Turn2Key, turn1.ExpectedTokens.Length) with { ReuseKeys = [Turn1Key] });

        int shared = SharedPrefix(text.Tokens, turn1.Tokens);
        Assert.InRange(shared, 1, turn1.Tokens.Length - 2);
        Assert.Equal(shared, result.Prompt!.CachedPromptTokens);
        Assert.Equal(turn1.ExpectedTokens, result.Tokens);
    }

    [Fact]
    public async Task Generate_KeptCacheEvictedForAnotherRequest_NextTurnPrefillsEverythingAndEqualsReference()
    {
        var (turn1, turn2) = (Turn1, Turn2);
        var text = GoldenPrompts.Get("a_text_only/0");
        // Room for one idle cache of a short prompt (prompt + 256 growth tokens), not two.
        await using var engine = _model.Engine(new EngineOptions { KvCacheTokens = 400 });
        await EngineRun.CollectAsync(engine, turn1.Request(Turn1Key, turn1.ExpectedTokens.Length, keepCache: true));
        await EngineRun.CollectAsync(engine, text.Request("t/prefix/other", 2, keepCache: true));

        var second = await EngineRun.CollectAsync(engine, turn2.Request(Turn2Key, turn2.ExpectedTokens.Length) with { ReuseKeys = [Turn1Key] });

        Assert.Equal(0, second.Prompt!.CachedPromptTokens);
        Assert.Equal(turn2.ExpectedTokens, second.Tokens);
    }

    private static int SharedPrefix(int[] a, int[] b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
        {
            n++;
        }

        return n;
    }
}
