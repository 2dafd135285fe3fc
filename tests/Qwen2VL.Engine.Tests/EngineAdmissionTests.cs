using Qwen2VL.Engine.Tests.Support;

namespace Qwen2VL.Engine.Tests;

[Collection(TinyModelCollection.Name)]
public sealed class EngineAdmissionTests
{
    private readonly TinyModel _model;

    public EngineAdmissionTests(TinyModel model) => _model = model;

    private static GoldenPrompt TextPrompt => GoldenPrompts.All().First(p => p.Media.Count == 0);

    [Fact]
    public async Task Generate_BudgetForOneSequence_QueuesTheRestAndAllMatchReference()
    {
        var prompt = TextPrompt;
        int oneSequence = prompt.Tokens.Length + prompt.ExpectedTokens.Length + 4;
        await using var engine = _model.Engine(new EngineOptions { KvCacheTokens = oneSequence, KvGrowthTokens = 4 });

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            EngineRun.CollectAsync(engine, prompt.Request($"k{i}", prompt.ExpectedTokens.Length))));

        Assert.All(results, r => Assert.Equal(prompt.ExpectedTokens, r.Tokens));
        Assert.Equal(0, engine.Snapshot().KvReservedTokens);
    }

    [Fact]
    public async Task Generate_DecodeOutgrowsBudget_PreemptsAndRecomputesWithSameTokens()
    {
        var prompt = TextPrompt;
        // Room for both prompts plus a few tokens each, not for both answers: the newer sequence is preempted.
        int budget = (2 * prompt.Tokens.Length) + prompt.ExpectedTokens.Length + 4;
        await using var engine = _model.Engine(new EngineOptions { KvCacheTokens = budget, KvGrowthTokens = 2 });

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(i =>
            EngineRun.CollectAsync(engine, prompt.Request($"k{i}", prompt.ExpectedTokens.Length))));

        Assert.All(results, r => Assert.Equal(prompt.ExpectedTokens, r.Tokens));
        Assert.True(engine.Snapshot().Preemptions > 0, "expected at least one preemption");
    }

    [Fact]
    public async Task Generate_PromptLargerThanBudget_IsRejectedWithNumbers()
    {
        var prompt = TextPrompt;
        await using var engine = _model.Engine(new EngineOptions { KvCacheTokens = prompt.Tokens.Length - 1 });

        var error = await Assert.ThrowsAsync<EngineRejectedException>(() => EngineRun.CollectAsync(engine, prompt.Request("k", 4)));

        Assert.Equal("kv_budget_exceeded", error.Code);
        Assert.Contains(prompt.Tokens.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.False(error.Retriable);
    }

    [Fact]
    public async Task Generate_PromptAtContextLength_IsRejected_AndEngineKeepsServing()
    {
        var prompt = TextPrompt;
        await using var engine = _model.Engine(new EngineOptions { MaxContextTokens = prompt.Tokens.Length });

        var error = await Assert.ThrowsAsync<EngineRejectedException>(() => EngineRun.CollectAsync(engine, prompt.Request("k", 4)));
        Assert.Equal("context_length_exceeded", error.Code);

        // Shorter prompts still run; max_new_tokens is capped by the context.
        var shorter = prompt with { Tokens = prompt.Tokens[..^4], Positions = Trim(prompt.Positions, prompt.Tokens.Length, 4) };
        var result = await EngineRun.CollectAsync(engine, shorter.Request("k2", 100));
        Assert.Equal(SequenceFinishReason.Length, result.Finish);
        Assert.Equal(4, result.Tokens.Count);
    }

    [Fact]
    public async Task Generate_Cancelled_FreesSlotAndCache()
    {
        var prompt = TextPrompt;
        await using var engine = _model.Engine();
        using var cancel = new CancellationTokenSource();
        int seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in engine.GenerateAsync(prompt.Request("k", 10_000), cancel.Token))
            {
                if (item is TokenGenerated && ++seen == 3)
                {
                    await cancel.CancelAsync();
                }

                cancel.Token.ThrowIfCancellationRequested();
            }
        });

        await WaitUntilAsync(() => engine.Snapshot() is { Running: 0, KvReservedTokens: 0 });
        var after = await EngineRun.CollectAsync(engine, prompt.Request("k2", prompt.ExpectedTokens.Length));
        Assert.Equal(prompt.ExpectedTokens, after.Tokens);
    }

    [Fact]
    public async Task ReleaseCache_DropsKeptCache()
    {
        var prompt = TextPrompt;
        await using var engine = _model.Engine();
        await EngineRun.CollectAsync(engine, prompt.Request("tenant/s", 3, keepCache: true));
        Assert.True(engine.Snapshot().KvReservedTokens > 0);

        engine.ReleaseCache("tenant/s");

        await WaitUntilAsync(() => engine.Snapshot() is { IdleCaches: 0, KvReservedTokens: 0 });
        var again = await EngineRun.CollectAsync(engine, prompt.Request("tenant/s", 3));
        Assert.Equal(0, again.Prompt!.CachedPromptTokens);
    }

    [Fact]
    public async Task Generate_KeptCacheOfOtherKey_IsNotReused()
    {
        var prompt = TextPrompt;
        await using var engine = _model.Engine();
        await EngineRun.CollectAsync(engine, prompt.Request("tenant-a/s", 3, keepCache: true));

        var other = await EngineRun.CollectAsync(engine, prompt.Request("tenant-b/s", 3));

        Assert.Equal(0, other.Prompt!.CachedPromptTokens);
    }

    private static long[] Trim(long[] positions, int length, int drop)
    {
        int kept = length - drop;
        var result = new long[3 * kept];
        for (int r = 0; r < 3; r++)
        {
            Array.Copy(positions, r * length, result, r * kept, kept);
        }

        return result;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }
}
