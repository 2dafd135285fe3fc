using Qwen2VL.Engine.Tests.Support;

namespace Qwen2VL.Engine.Tests;

[Collection(TinyModelCollection.Name)]
[Trait("Category", "Golden")]
public sealed class EngineGoldenTests
{
    private readonly TinyModel _model;

    public EngineGoldenTests(TinyModel model) => _model = model;

    public static TheoryData<string> Prompts()
    {
        var data = new TheoryData<string>();
        foreach (var prompt in GoldenPrompts.All())
        {
            data.Add(prompt.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Prompts))]
    public async Task Generate_GoldenPromptAlone_EqualsReferenceGreedyTokens(string name)
    {
        var prompt = GoldenPrompts.Get(name);
        await using var engine = _model.Engine();

        var result = await EngineRun.CollectAsync(engine, prompt.Request("s", prompt.ExpectedTokens.Length));

        Assert.Equal(prompt.ExpectedTokens, result.Tokens);
        Assert.Equal(SequenceFinishReason.Length, result.Finish);
        Assert.Equal(prompt.Tokens.Length, result.Prompt!.PromptTokens);
    }

    [Fact]
    public async Task Generate_AllPromptsConcurrentlyWithSmallChunks_EachEqualsReference()
    {
        var prompts = GoldenPrompts.All().ToList();
        // A 16-token step budget forces chunked prefill beside running decodes, with staggered arrivals.
        await using var engine = _model.Engine(new EngineOptions { MaxBatchTokens = 16 });

        var runs = prompts.Select(async (p, i) =>
        {
            await Task.Delay(i * 15);
            return await EngineRun.CollectAsync(engine, p.Request($"s{i}", p.ExpectedTokens.Length));
        }).ToList();
        var results = await Task.WhenAll(runs);

        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.True(prompts[i].ExpectedTokens.SequenceEqual(results[i].Tokens), $"{prompts[i].Name}: got [{string.Join(", ", results[i].Tokens)}]");
        }
    }

    [Fact]
    public async Task Generate_SecondTurnOnKeptCache_PrefillsOnlyNewTokensAndEqualsReference()
    {
        var turn1 = GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn1_0", StringComparison.Ordinal));
        var turn2 = GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn2_0", StringComparison.Ordinal));
        await using var engine = _model.Engine();

        var first = await EngineRun.CollectAsync(engine, turn1.Request("tenant/session", turn1.ExpectedTokens.Length, keepCache: true));
        var second = await EngineRun.CollectAsync(engine, turn2.Request("tenant/session", turn2.ExpectedTokens.Length, keepCache: true));

        Assert.Equal(turn1.ExpectedTokens, first.Tokens);
        Assert.Equal(turn2.ExpectedTokens, second.Tokens);
        // The kept cache holds the turn-1 prompt and every answer token but the last (never fed back).
        Assert.Equal(turn1.Tokens.Length + turn1.ExpectedTokens.Length - 1, second.Prompt!.CachedPromptTokens);
        Assert.Equal(0, first.Prompt!.CachedPromptTokens);
    }

    [Fact]
    public async Task Generate_MediaPromptsArrivingTogether_EncodedInSharedStepsEqualReference()
    {
        var prompts = GoldenPrompts.All().Where(p => p.Media.Count > 0).ToList();
        await using var engine = _model.Engine(new EngineOptions { MaxBatchTokens = 4096 });

        // Submitted at once, so several sequences start prefill in one step and their media go through one tower call.
        var results = await Task.WhenAll(prompts.Select((p, i) => EngineRun.CollectAsync(engine, p.Request($"m{i}", p.ExpectedTokens.Length))));

        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.True(prompts[i].ExpectedTokens.SequenceEqual(results[i].Tokens), $"{prompts[i].Name}: got [{string.Join(", ", results[i].Tokens)}]");
        }

        int distinctMedia = prompts.SelectMany(p => p.Media.Select(m => m.ContentHash)).Distinct().Count();
        Assert.Equal(distinctMedia, engine.Snapshot().VisionCacheMisses);
    }

    [Fact]
    public async Task Generate_SameImageTwice_EncodesItOnce()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 1 && !p.Media[0].IsVideo);
        await using var engine = _model.Engine();

        var a = await EngineRun.CollectAsync(engine, prompt.Request("a", 3));
        var b = await EngineRun.CollectAsync(engine, prompt.Request("b", 3));

        Assert.Equal(a.Tokens, b.Tokens);
        var snapshot = engine.Snapshot();
        Assert.Equal(1, snapshot.VisionCacheMisses);
        Assert.Equal(1, snapshot.VisionCacheHits);
    }

    [Fact]
    public async Task Generate_SameImageOtherTenant_IsNotServedFromTheFirstTenantsCache()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 1 && !p.Media[0].IsVideo);
        await using var engine = _model.Engine();

        await EngineRun.CollectAsync(engine, prompt.Request("a", 2, tenant: "tenant-a"));
        await EngineRun.CollectAsync(engine, prompt.Request("b", 2, tenant: "tenant-b"));

        Assert.Equal(0, engine.Snapshot().VisionCacheHits);
    }
}
