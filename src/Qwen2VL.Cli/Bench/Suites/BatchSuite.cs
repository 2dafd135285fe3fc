using System.Diagnostics;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>batch_speedup_N</c>: aggregate decode tokens/s of N concurrent sequences through the engine's continuous batching,
/// over a single stream measured in the same run.
/// </summary>
internal sealed class BatchSuite : IBenchSuite
{
    private static readonly int[] BatchSizes = [4, 8, 16];
    private const int PromptTokens = 16;
    private const int NewTokens = 16;

    public string Name => "batch";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        await using var engine = context.NewEngine();
        var clock = Stopwatch.StartNew();
        await StreamTiming.RunAsync(engine, BenchPrompts.Request("warm", BenchPrompts.Tokens(PromptTokens, 10), 4), clock, cancellationToken).ConfigureAwait(false);
        double single = await RateAsync(engine, 1, clock, cancellationToken).ConfigureAwait(false);
        context.Log($"single stream {single:F2} tokens/s");
        results.Set("decode_tokens_per_s_batch_1", single);
        foreach (int n in BatchSizes)
        {
            double rate = await RateAsync(engine, n, clock, cancellationToken).ConfigureAwait(false);
            context.Log($"{n} streams {rate:F2} tokens/s ({rate / single:F2}×)");
            results.Set($"batch_speedup_{n}", rate / single);
        }
    }

    private static async Task<double> RateAsync(Engine.InferenceEngine engine, int streams, Stopwatch clock, CancellationToken cancellationToken)
    {
        var runs = Enumerable.Range(0, streams)
            .Select(i => StreamTiming.RunAsync(engine, BenchPrompts.Request($"batch{streams}-{i}", BenchPrompts.Tokens(PromptTokens, 100 + i), NewTokens), clock, cancellationToken))
            .ToList();
        var timings = await Task.WhenAll(runs).ConfigureAwait(false);
        return streams == 1 ? 1 / timings[0].MeanInterTokenSeconds : StreamTiming.AggregateDecodeRate(timings);
    }
}
