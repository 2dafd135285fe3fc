using System.Diagnostics;
using Qwen2VL.Model.Vision;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// One ViT block's attention on random bf16 q, k, v (the config's heads and head_dim) through the vision tower's CPU
/// path (<see cref="BlockedAttention"/>) and through LibTorch's <c>scaled_dot_product_attention</c>, interleaved in
/// this process so both see the same load; median of <see cref="Repeats"/> each. Two sizes: a 448×448 image (1,024
/// patches) and a 1,024-query slice of a 1080p image against all its 10,764 keys (the whole block would take seconds
/// per call; attention time is linear in the queries). Needs no checkpoint.
/// </summary>
internal sealed class AttentionSuite : IBenchSuite
{
    private const int Repeats = 7;

    public string Name => "attention";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        var vision = context.Config.VisionSettings;
        foreach (var (label, queries, keys) in new[] { ("448", 1024L, 1024L), ("1080p", 1024L, 78L * 138) })
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ((blocked, sdpa), rate) = await BenchContext.Bracket(context.MeasureBf16GemmRate,
                () => Task.FromResult(Interleaved(vision.NumHeads, vision.EmbedDim / vision.NumHeads, queries, keys))).ConfigureAwait(false);
            double flops = 4.0 * queries * keys * vision.EmbedDim;
            context.Log($"attention {label} ({queries} queries × {keys} keys): blocked {blocked * 1e3:F1} ms ({flops / blocked / 1e9:F0} GFLOP/s), " +
                $"SDPA {sdpa * 1e3:F1} ms ({flops / sdpa / 1e9:F0} GFLOP/s); bf16 GEMM {rate / 1e9:F0} GFLOP/s");
            results.Set($"vision_attention_{label}_sdpa_vs_blocked", sdpa / blocked);
            results.Set($"vision_attention_{label}_blocked_vs_gemm_rate", flops / blocked / rate);
        }
    }

    /// <summary>Median seconds of the blocked path and of SDPA, alternating which runs first in each round.</summary>
    private static (double Blocked, double Sdpa) Interleaved(int heads, int headDim, long queries, long keys)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var generator = new Generator(seed: 41);
        var q = randn(new long[] { 1, heads, queries, headDim }, generator: generator).to(ScalarType.BFloat16);
        var k = randn(new long[] { 1, heads, keys, headDim }, generator: generator).to(ScalarType.BFloat16);
        var v = randn(new long[] { 1, heads, keys, headDim }, generator: generator).to(ScalarType.BFloat16);
        double Blocked() => Time(() => BlockedAttention.Attend(q, k, v));
        double Sdpa() => Time(() => nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, false));
        Blocked(); // warm-up: worker start, kernel selection, first touch of buffers
        Sdpa();
        var blocked = new List<double>(Repeats);
        var sdpa = new List<double>(Repeats);
        for (int i = 0; i < Repeats; i++)
        {
            if (i % 2 == 0)
            {
                blocked.Add(Blocked());
                sdpa.Add(Sdpa());
            }
            else
            {
                sdpa.Add(Sdpa());
                blocked.Add(Blocked());
            }
        }

        return (Median(blocked), Median(sdpa));
    }

    private static double Time(Func<Tensor> attend)
    {
        var clock = Stopwatch.StartNew();
        attend().Dispose();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> seconds)
    {
        seconds.Sort();
        return seconds[seconds.Count / 2];
    }
}
