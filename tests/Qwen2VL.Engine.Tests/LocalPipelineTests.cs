using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Engine.Tests.Support;

namespace Qwen2VL.Engine.Tests;

[Collection(TinyModelCollection.Name)]
public sealed class LocalPipelineTests
{
    private readonly TinyModel _model;

    public LocalPipelineTests(TinyModel model) => _model = model;

    private static GoldenPrompt TextPrompt => GoldenPrompts.All().First(p => p.Media.Count == 0);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Generate_AllPromptsThroughLocalStagesWithSmallChunks_EqualReference(int stageCount)
    {
        var prompts = GoldenPrompts.All().ToList();
        var stages = _model.Split(stageCount);
        await using var tail = LocalPipeline.Create(stages.Skip(1).Select(s => new HostedStage(s, kvCacheTokens: 65536)).ToList());
        await using var engine = Engine(stages[0], tail, new EngineOptions { MaxBatchTokens = 16 });

        var results = await Task.WhenAll(prompts.Select((p, i) => EngineRun.CollectAsync(engine, p.Request($"s{i}", p.ExpectedTokens.Length))));

        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.True(prompts[i].ExpectedTokens.SequenceEqual(results[i].Tokens), $"{prompts[i].Name}: got [{string.Join(", ", results[i].Tokens)}]");
        }
    }

    [Fact]
    public async Task Generate_LaterStageTooSmall_FailsWithCapacityErrorAndKeepsServing()
    {
        var prompt = TextPrompt;
        var stages = _model.Split(2);
        // A cache grows by doubling: one sequence needs 2L tokens once it decodes, two of them 4L.
        int capacity = (2 * prompt.Tokens.Length) + 8;
        var hosted = new HostedStage(stages[1], kvCacheTokens: capacity) { GrowthTokens = 1 };
        await using var tail = LocalPipeline.Create(new[] { hosted });
        await using var engine = Engine(stages[0], tail, new EngineOptions());

        // One sequence fits; two alongside do not, and the step where they outgrow the stage is refused.
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => Task.WhenAll(
            EngineRun.CollectAsync(engine, prompt.Request("a", 4)),
            EngineRun.CollectAsync(engine, prompt.Request("b", 4))));

        Assert.Equal("stage_capacity_exceeded", error.Code);
        Assert.True(error.Retriable);
        Assert.False(error.StateLost);
        Assert.Contains($"of {capacity} are free", error.Message, StringComparison.Ordinal);
        var alone = await EngineRun.CollectAsync(engine, prompt.Request("c", 4));
        Assert.Equal(prompt.ExpectedTokens.Take(4), alone.Tokens);
    }

    [Fact]
    public async Task ReleaseCache_KeptSession_FreesLaterStageCaches()
    {
        var prompt = TextPrompt;
        var stages = _model.Split(3);
        var hosted = stages.Skip(1).Select(s => new HostedStage(s, kvCacheTokens: 4096)).ToList();
        await using var tail = LocalPipeline.Create(hosted);
        await using var engine = Engine(stages[0], tail, new EngineOptions());

        await EngineRun.CollectAsync(engine, prompt.Request("tenant/dropped", 3));
        await EngineRun.CollectAsync(engine, prompt.Request("tenant/kept", 3, keepCache: true));
        await WaitUntilAsync(() => hosted.All(h => CachedSequences(h) == 1));

        engine.ReleaseCache("tenant/kept");

        await WaitUntilAsync(() => hosted.All(h => CachedSequences(h) == 0 && ReservedTokens(h) == 0));
    }

    [Fact]
    public async Task Generate_ReuseKeyThroughLocalStages_LaterStagesContinueTheKeptCacheAndEqualReference()
    {
        var turn1 = GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn1_0", StringComparison.Ordinal));
        var turn2 = GoldenPrompts.All().Single(p => p.Name.EndsWith("/turn2_0", StringComparison.Ordinal));
        var stages = _model.Split(3);
        var hosted = stages.Skip(1).Select(s => new HostedStage(s, kvCacheTokens: 4096)).ToList();
        await using var tail = LocalPipeline.Create(hosted);
        await using var engine = Engine(stages[0], tail, new EngineOptions());

        await EngineRun.CollectAsync(engine, turn1.Request("t/prefix/1", turn1.ExpectedTokens.Length, keepCache: true));
        var second = await EngineRun.CollectAsync(engine, turn2.Request("t/prefix/2", turn2.ExpectedTokens.Length, keepCache: true) with { ReuseKeys = ["t/prefix/1"] });

        Assert.Equal(turn1.Tokens.Length + turn1.ExpectedTokens.Length - 1, second.Prompt!.CachedPromptTokens);
        Assert.Equal(turn2.ExpectedTokens, second.Tokens);
        // The later stages hold one cache: turn 1's, continued by turn 2 and kept again under its key.
        await WaitUntilAsync(() => hosted.All(h => CachedSequences(h) == 1));
    }

    [Fact]
    public void Constructor_FirstStageWithoutTail_ThrowsWithLayers()
    {
        var stages = _model.Split(2);

        var error = Assert.Throws<ArgumentException>(() => Engine(stages[0], tail: null, new EngineOptions()));

        Assert.Contains("[0, 2)", error.Message, StringComparison.Ordinal);
    }

    private static InferenceEngine Engine(Model.Stages.Qwen2VLStage first, IPipelineTail? tail, EngineOptions options) =>
        new(first, tail, TinyModel.EosTokenIds, options, NullLogger<InferenceEngine>.Instance);

    private static int CachedSequences(HostedStage stage)
    {
        lock (stage.Gate)
        {
            return stage.CachedSequences;
        }
    }

    private static int ReservedTokens(HostedStage stage)
    {
        lock (stage.Gate)
        {
            return stage.Budget.Reserved;
        }
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
