using System.Diagnostics;
using System.Globalization;
using Qwen2VL.Engine;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Engine.Tests.Support;
using Qwen2VL.Model.Stages;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Qwen2VL.Worker.Tests;

/// <summary>
/// What the gRPC hop costs per step on the tiny model, where compute is nearly free so the hop dominates. Prints the
/// numbers (run with a detailed console logger to see them); asserts only a loose bound.
/// </summary>
[Collection(RemoteStagesCollection.Name)]
[Trait("Category", "Timing")]
public sealed class HopOverheadTests
{
    private const int Steps = 200;
    private readonly RemoteStages _remote;
    private readonly ITestOutputHelper _output;

    public HopOverheadTests(RemoteStages remote, ITestOutputHelper output)
    {
        _remote = remote;
        _output = output;
    }

    [Fact]
    public async Task ForwardAsync_DecodeStepOnLastStage_GrpcHopCostsLittleOverLocalCall()
    {
        var last = _remote.Stages.Get(new LayerRange(2, 3));
        await using var local = LocalPipeline.Create(new[] { new HostedStage(last, 4096) });
        using var channel = WorkerChannel.Create(_remote.Last.Address);
        await using var remote = new GrpcPipelineTail(channel, startLayer: 2);

        double localUs = await MedianStepMicrosecondsAsync(local, withLogits: true);
        double remoteUs = await MedianStepMicrosecondsAsync(remote, withLogits: true);
        double localBareUs = await MedianStepMicrosecondsAsync(local, withLogits: false);
        double remoteBareUs = await MedianStepMicrosecondsAsync(remote, withLogits: false);

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decode step on layers [2, 3) + head, 1 logits row (608 KB): in-process {localUs:0} us, over loopback gRPC {remoteUs:0} us, hop {remoteUs - localUs:0} us (median of {Steps})"));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decode step on layers [2, 3), no logits: in-process {localBareUs:0} us, over loopback gRPC {remoteBareUs:0} us, hop {remoteBareUs - localBareUs:0} us (median of {Steps})"));
        Assert.True(remoteUs - localUs < 20_000, $"the hop costs {remoteUs - localUs:0} us per step");
    }

    [Fact]
    public async Task Generate_DecodeThroughOneTwoThreeStages_ReportsTimePerToken()
    {
        var prompt = GoldenPrompts.All().First(p => p.Media.Count == 0);
        var perToken = new Dictionary<string, double>();
        foreach (int stages in new[] { 1, 2, 3 })
        {
            await using var driver = _remote.Driver(stages);
            await MicrosecondsPerTokenAsync(driver.Engine, prompt, 8);
            perToken[$"{stages} stage(s), {stages - 1} hop(s)"] = await MicrosecondsPerTokenAsync(driver.Engine, prompt, Steps);
        }

        foreach (var (name, us) in perToken)
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {us:0} us per generated token (mean over {Steps})"));
        }

        Assert.All(perToken.Values, us => Assert.True(us < 100_000, $"{us:0} us per token"));
    }

    /// <summary>Times single-token steps of one sequence through <paramref name="tail"/>, after a warm-up.</summary>
    private static async Task<double> MedianStepMicrosecondsAsync(IPipelineTail tail, bool withLogits)
    {
        var times = new List<double>(Steps);
        for (int i = 0; i < Steps + 10; i++)
        {
            using var hidden = randn(1, 64);
            using var positions = full(3, 1, (long)i, ScalarType.Int64);
            var step = new PipelineStep
            {
                Segments = new[] { new PipelineSegment("bench#1", i, 1) },
                Hidden = hidden,
                PositionIds = positions,
                LogitRows = withLogits ? new long[] { 0 } : Array.Empty<long>(),
            };
            long start = Stopwatch.GetTimestamp();
            using var logits = await tail.ForwardAsync(step, CancellationToken.None);
            if (i >= 10)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
        }

        await tail.ReleaseAsync(new[] { "bench#1" }, CancellationToken.None);
        return Median(times);
    }

    /// <summary>
    /// Microseconds per generated token of one sequence alone, from the first token to the last (events are read in
    /// bursts when the reader lags, so single intervals mean little; their sum does).
    /// </summary>
    private static async Task<double> MicrosecondsPerTokenAsync(InferenceEngine engine, GoldenPrompt prompt, int tokens)
    {
        long first = 0, last = 0;
        await foreach (var item in engine.GenerateAsync(prompt.Request("timing", tokens)))
        {
            if (item is TokenGenerated token)
            {
                last = Stopwatch.GetTimestamp();
                first = token.Index == 0 ? last : first;
            }
        }

        return Stopwatch.GetElapsedTime(first, last).TotalMicroseconds / (tokens - 1);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
