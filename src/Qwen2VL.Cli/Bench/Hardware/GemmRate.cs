using System.Diagnostics;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Hardware;

/// <summary>The matrix-multiply rate LibTorch reaches here in a dtype: the denominator of every matmul floor.</summary>
internal static class GemmRate
{
    /// <summary>FLOP/s of the median of <paramref name="repeats"/> square products of side <paramref name="n"/>.</summary>
    public static double Measure(ScalarType dtype, int n = 2048, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var a = randn(n, n).to(dtype);
        var b = randn(n, n).to(dtype);
        matmul(a, b).Dispose(); // warm-up: thread pool start, kernel selection
        var seconds = new List<double>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            seconds.Add(clock.Elapsed.TotalSeconds);
        }

        seconds.Sort();
        return 2.0 * n * n * n / seconds[repeats / 2];
    }
}
