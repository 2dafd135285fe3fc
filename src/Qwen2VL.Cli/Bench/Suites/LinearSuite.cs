using System.Diagnostics;
using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// The decode-step products alone: the four projections of <see cref="Layers"/> decoder layers of the config (stacked
/// q/k/v, o, stacked gate/up, down; random bf16 weights, more bytes than the caches hold) for 1–32 input rows, through
/// the decode path of <see cref="LinearProjection"/> and through LibTorch's linear, interleaved, median of
/// <see cref="Repeats"/>. Reports each path's weight read rate against the streaming read measured beside it, which
/// is what decides the row count up to which decode steps use the kernel. Needs no checkpoint; takes seconds.
/// </summary>
internal sealed class LinearSuite : IBenchSuite
{
    private const int Layers = 4;
    private const int Repeats = 9;
    private static readonly int[] RowCounts = [1, 2, 4, 8, 16, 32];

    public string Name => "linear";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        if (!LinearProjection.NativeKernelAvailable)
        {
            context.Log("AVX512-BF16 kernel not available (not built, or the CPU lacks it): decode products use the managed kernel and LibTorch");
        }

        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var weights = NewLayerWeights(context.Config.HiddenSize, context.Config.IntermediateSize,
            context.Config.NumAttentionHeads, context.Config.NumKeyValueHeads);
        long bytes = weights.Sum(w => w.NumberOfElements * 2);
        foreach (int rows in RowCounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ((kernel, libtorch), bandwidth) = await BenchContext.Bracket(context.MeasureReadBandwidth,
                () => Task.FromResult(Interleaved(weights, rows))).ConfigureAwait(false);
            context.Log($"linear, {rows} row(s) over {bytes / 1e6:F0} MB of weights: decode path {kernel * 1e3:F2} ms ({bytes / kernel / 1e9:F1} GB/s), " +
                $"LibTorch {libtorch * 1e3:F2} ms ({bytes / libtorch / 1e9:F1} GB/s); streaming read {bandwidth / 1e9:F1} GB/s");
            results.Set($"linear_rows_{rows}_libtorch_vs_kernel", libtorch / kernel);
            results.Set($"linear_rows_{rows}_kernel_vs_read_floor", kernel / (bytes / bandwidth));
        }
    }

    private static List<Tensor> NewLayerWeights(int hidden, int intermediate, int heads, int kvHeads)
    {
        int headDim = hidden / heads;
        var generator = new Generator(seed: 43);
        var weights = new List<Tensor>();
        for (int layer = 0; layer < Layers; layer++)
        {
            foreach (var (outFeatures, inFeatures) in new[] { (hidden + (2 * kvHeads * headDim), hidden), (hidden, hidden), (2 * intermediate, hidden), (hidden, intermediate) })
            {
                weights.Add((randn(new long[] { outFeatures, inFeatures }, generator: generator) * 0.02).to(ScalarType.BFloat16));
            }
        }

        return weights;
    }

    /// <summary>Median seconds for all products through the decode path and through LibTorch, alternating which runs first.</summary>
    private static (double Kernel, double LibTorch) Interleaved(List<Tensor> weights, int rows)
    {
        var inputs = weights.Select(w => randn(new long[] { rows, w.shape[1] }).to(ScalarType.BFloat16)).ToList();
        double Kernel() => Time(() => weights.Select((w, i) => LinearProjection.Apply(inputs[i], w, null)));
        double LibTorch() => Time(() => weights.Select((w, i) => nn.functional.linear(inputs[i], w)));
        Kernel(); // warm-up: thread start, first touch of the outputs
        LibTorch();
        var kernel = new List<double>(Repeats);
        var libtorch = new List<double>(Repeats);
        for (int i = 0; i < Repeats; i++)
        {
            if (i % 2 == 0)
            {
                kernel.Add(Kernel());
                libtorch.Add(LibTorch());
            }
            else
            {
                libtorch.Add(LibTorch());
                kernel.Add(Kernel());
            }
        }

        return (Median.Of(kernel), Median.Of(libtorch));
    }

    private static double Time(Func<IEnumerable<Tensor>> products)
    {
        var clock = Stopwatch.StartNew();
        foreach (var product in products())
        {
            product.Dispose();
        }

        return clock.Elapsed.TotalSeconds;
    }
}
