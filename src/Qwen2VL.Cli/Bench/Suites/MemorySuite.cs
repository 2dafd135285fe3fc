using System.Diagnostics;
using Qwen2VL.Cli.Bench.Hardware;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>peak_rss_vs_weights</c>: the process's peak resident memory after loading the model and serving a short request,
/// over the weight bytes. Runs before every other suite, so no benchmark buffer inflates the peak.
/// </summary>
internal sealed class MemorySuite : IBenchSuite
{
    public string Name => "memory";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        var model = context.Model;
        await using (var engine = context.NewEngine())
        {
            var request = BenchPrompts.Request("memory", BenchPrompts.Tokens(256, seed: 1), newTokens: 8);
            await StreamTiming.RunAsync(engine, request, Stopwatch.StartNew(), cancellationToken).ConfigureAwait(false);
        }

        GC.KeepAlive(model);
        if (PeakRss.PeakBytes() is not { } peak)
        {
            results.Note("peak_rss_vs_weights: not measured (no /proc/self/status on this system)");
            return;
        }

        context.Log($"peak RSS {peak / 1e9:F2} GB for {context.WeightBytes / 1e9:F2} GB of weights");
        results.Set("peak_rss_vs_weights", (double)peak / context.WeightBytes);
    }
}
