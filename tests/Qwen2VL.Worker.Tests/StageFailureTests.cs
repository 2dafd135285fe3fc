using System.Net;
using Qwen2VL.Engine;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Engine.Tests.Support;
using Qwen2VL.Model.Stages;
using Qwen2VL.Tests.Shared;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.Hosting;
using Qwen2VL.Worker.Tests.Support;

namespace Qwen2VL.Worker.Tests;

/// <summary>Stages that die, refuse or do not fit: the driver fails the affected sequences with a typed error and goes on.</summary>
[Collection(RemoteStagesCollection.Name)]
public sealed class StageFailureTests
{
    private readonly RemoteStages _remote;

    public StageFailureTests(RemoteStages remote) => _remote = remote;

    // Long enough for a freshly restarted stage to accept the stream on a busy machine (1 s timed out in CI),
    // short enough that requests while a stage is down still fail within seconds.
    private static readonly GrpcPipelineTailOptions FastConnect = new() { ConnectTimeout = TimeSpan.FromSeconds(5) };

    private static GoldenPrompt TextPrompt => GoldenPrompts.All().First(p => p.Media.Count == 0);

    [Fact]
    public async Task Generate_LastStageKilledMidGeneration_FailsRunningRetriablyAndServesAfterRestart()
    {
        var prompt = TextPrompt;
        await using var stage = await StageProcess.StartAsync("2:3");
        await using var driver = Driver.Remote(_remote.Stages.First(2), stage.Address, tailOptions: FastConnect);
        var kept = await EngineRun.CollectAsync(driver.Engine, prompt.Request("tenant/kept", 4, keepCache: true));

        var errors = await KillDuringGenerationAsync(driver.Engine, prompt, stage);

        Assert.All(errors, e =>
        {
            Assert.Equal("stage_unavailable", e.Code);
            Assert.True(e.Retriable);
            Assert.True(e.StateLost);
            Assert.Contains(new Uri(stage.Address).Authority, e.Message, StringComparison.Ordinal);
        });
        // While the stage is down, new requests fail fast with the same retriable error.
        var down = await Assert.ThrowsAsync<PipelineStageException>(() => EngineRun.CollectAsync(driver.Engine, prompt.Request("c", 4)));
        Assert.Equal("stage_unavailable", down.Code);

        await stage.RestartAsync();
        var after = await EngineRun.CollectAsync(driver.Engine, prompt.Request("d", prompt.ExpectedTokens.Length));
        Assert.Equal(prompt.ExpectedTokens, after.Tokens);
        // The kept session lost its remote share with the old process: its next turn starts clean.
        var resumed = await EngineRun.CollectAsync(driver.Engine, prompt.Request("tenant/kept", 4, keepCache: true));
        Assert.Equal(0, resumed.Prompt!.CachedPromptTokens);
        Assert.Equal(kept.Tokens, resumed.Tokens);
    }

    [Fact]
    public async Task Generate_LastOfThreeStagesKilled_MiddleStageRelaysTheErrorAndChainRecovers()
    {
        var prompt = TextPrompt;
        await using var last = await StageProcess.StartAsync("2:3");
        await using var middle = await StageProcess.StartAsync("1:2", last.Address);
        await using var driver = Driver.Remote(_remote.Stages.First(3), middle.Address);

        var errors = await KillDuringGenerationAsync(driver.Engine, prompt, last);

        Assert.All(errors, e =>
        {
            Assert.Equal(PipelineErrorCode.Unavailable, e.ErrorCode);
            Assert.True(e.Retriable);
            Assert.Contains(new Uri(last.Address).Authority, e.Message, StringComparison.Ordinal);
        });
        await last.RestartAsync();
        var after = await EngineRun.CollectAsync(driver.Engine, prompt.Request("d", prompt.ExpectedTokens.Length));
        Assert.Equal(prompt.ExpectedTokens, after.Tokens);
    }

    [Fact]
    public async Task Generate_RemoteStageTooSmall_SurfacesCapacityErrorAndStreamStaysUsable()
    {
        var prompt = TextPrompt;
        // A cache grows by doubling: one sequence needs 2L tokens once it decodes, two of them 4L.
        int capacity = (2 * prompt.Tokens.Length) + 8;
        await using var host = await StageHost.StartAsync(new StageHostOptions
        {
            ModelDirectory = TestPaths.Checkpoint,
            Layers = new LayerRange(2, 3),
            Bind = IPAddress.Loopback,
            DType = "float32",
            Threads = 1,
            KvCacheTokens = capacity,
        });
        await using var driver = Driver.Remote(_remote.Stages.First(2), host.Address);

        // Two prompts fit their prefill but not their first decode step: that step is refused before the stage changes anything.
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => Task.WhenAll(
            EngineRun.CollectAsync(driver.Engine, prompt.Request("a", 2)),
            EngineRun.CollectAsync(driver.Engine, prompt.Request("b", 2))));

        Assert.Equal("stage_capacity_exceeded", error.Code);
        Assert.True(error.Retriable);
        Assert.False(error.StateLost);
        Assert.Contains($"of {capacity} are free", error.Message, StringComparison.Ordinal);
        Assert.Contains("layers [2, 3)", error.Message, StringComparison.Ordinal);
        // One prompt alone fits, on the same stream.
        var alone = await EngineRun.CollectAsync(driver.Engine, prompt.Request("c", 2));
        Assert.Equal(prompt.ExpectedTokens.Take(2), alone.Tokens);
    }

    [Fact]
    public async Task Generate_NextStageDoesNotContinueTheLayers_FailsAsMisconfigured()
    {
        var prompt = TextPrompt;
        // The driver holds [0, 1) but is pointed at the stage holding [2, 3).
        await using var driver = Driver.Remote(_remote.Stages.First(3), _remote.Last.Address);

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => EngineRun.CollectAsync(driver.Engine, prompt.Request("a", 2)));

        Assert.Equal("stage_misconfigured", error.Code);
        Assert.False(error.Retriable);
        Assert.Contains("must start at layer 1, it holds layers [2, 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_NoStageListening_FailsAsUnavailable()
    {
        await using var stage = await StageProcess.StartAsync("2:3");
        string address = stage.Address;
        stage.Kill();
        await using var driver = Driver.Remote(_remote.Stages.First(2), address, tailOptions: FastConnect);

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => EngineRun.CollectAsync(driver.Engine, TextPrompt.Request("a", 2)));

        Assert.Equal("stage_unavailable", error.Code);
        Assert.Contains("cannot reach the next stage", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs two long generations, kills <paramref name="stage"/> once tokens flow, and returns each one's error.</summary>
    private static async Task<PipelineStageException[]> KillDuringGenerationAsync(InferenceEngine engine, GoldenPrompt prompt, StageProcess stage)
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> RunAsync(string key)
        {
            int tokens = 0;
            await foreach (var item in engine.GenerateAsync(prompt.Request(key, 10_000)))
            {
                if (item is TokenGenerated && ++tokens == 3)
                {
                    flowing.TrySetResult();
                }
            }

            return tokens;
        }

        var runs = new[] { RunAsync("a"), RunAsync("b") };
        await flowing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stage.Kill();
        var errors = new List<PipelineStageException>();
        foreach (var run in runs)
        {
            errors.Add(await Assert.ThrowsAsync<PipelineStageException>(() => run));
        }

        return errors.ToArray();
    }
}
