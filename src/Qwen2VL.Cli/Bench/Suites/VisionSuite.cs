using System.Diagnostics;
using Qwen2VL.Cli.Bench.Hardware;
using Qwen2VL.Model.Stages;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// The vision tower on a 448×448 image (32×32 patches) and on a 1920×1080 image at the default max_pixels
/// (1932×1092 after smart_resize: 78×138 = 10,764 patches), each against its matmul floor at the bf16 GEMM rate
/// of this run. The 1080p run also reports how far resident memory grew, to show attention stays bounded.
/// </summary>
internal sealed class VisionSuite : IBenchSuite
{
    public string Name => "vision";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        var model = context.Model;
        var vision = context.Config.VisionSettings;
        Encode(model, 8, 8); // warm-up

        var (small, smallRate) = await BenchContext.Bracket(context.MeasureBf16GemmRate,
            () => Task.FromResult(Math.Min(Encode(model, 32, 32), Encode(model, 32, 32)))).ConfigureAwait(false);
        double smallFloor = MatmulFlops.VisionTower(vision, 32, 32) / smallRate;
        context.Log($"vision 448×448 in {small:F2} s; matmul floor {smallFloor:F2} s");
        results.Set("vision_448_ms", small * 1e3);
        results.Set("vision_448_vs_matmul_floor", small / smallFloor);

        long before = PeakRss.CurrentBytes() ?? 0;
        bool peakReset = PeakRss.TryResetPeak();
        var (large, largeRate) = await BenchContext.Bracket(context.MeasureBf16GemmRate, () => Task.FromResult(Encode(model, 78, 138))).ConfigureAwait(false);
        long after = PeakRss.PeakBytes() ?? 0;
        if (peakReset && before > 0)
        {
            results.Set("vision_1080p_peak_rss_growth_gb", (after - before) / 1e9);
        }

        double largeFloor = MatmulFlops.VisionTower(vision, 78, 138) / largeRate;
        context.Log($"vision 1080p (10,764 patches) in {large:F1} s; matmul floor {largeFloor:F1} s; peak RSS {after / 1e9:F2} GB (was {before / 1e9:F2} GB before)");
        results.Set("vision_1080p_ms", large * 1e3);
        results.Set("vision_1080p_vs_matmul_floor", large / largeFloor);
    }

    private static double Encode(Qwen2VLStage model, int gridH, int gridW)
    {
        using var scope = NewDisposeScope();
        int patches = gridH * gridW;
        var generator = new TorchSharp.torch.Generator(seed: 40);
        var pixels = randn(new long[] { patches, model.Config.VisionSettings.PatchVectorLength }, generator: generator);
        var grid = tensor(new long[] { 1, gridH, gridW }, new long[] { 1, 3 });
        var clock = Stopwatch.StartNew();
        using var features = model.EncodeVision(pixels, grid);
        return clock.Elapsed.TotalSeconds;
    }
}
