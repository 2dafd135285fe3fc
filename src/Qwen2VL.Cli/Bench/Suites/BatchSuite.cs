using System.Diagnostics;
using Qwen2VL.Model.Layers;
using Qwen2VL.Model.Text;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>batch_speedup_N</c>: aggregate decode tokens/s of N concurrent sequences through the engine's continuous batching,
/// over a single stream measured in the same run. The batched steps' call structure (stacked projections, one attention
/// call per step) is then compared with separate calls, interleaved, so its effect is a ratio from one run.
/// </summary>
internal sealed class BatchSuite : IBenchSuite
{
    private static readonly int[] BatchSizes = [4, 8, 16];
    private const int PromptTokens = 16;
    private const int NewTokens = 16;
    private const int ComparedBatch = 8;
    private const int Rounds = 2;

    public string Name => "batch";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        await using var engine = context.NewEngine();
        var clock = Stopwatch.StartNew();
        await StreamTiming.RunAsync(engine, BenchPrompts.Request("warm", BenchPrompts.Tokens(PromptTokens, 10), 4), clock, cancellationToken).ConfigureAwait(false);
        double single = await RateAsync(engine, 1, "", clock, cancellationToken).ConfigureAwait(false);
        context.Log($"single stream {single:F2} tokens/s");
        results.Set("decode_tokens_per_s_batch_1", single);
        foreach (int n in BatchSizes)
        {
            double rate = await RateAsync(engine, n, "", clock, cancellationToken).ConfigureAwait(false);
            context.Log($"{n} streams {rate:F2} tokens/s ({rate / single:F2}×)");
            results.Set($"batch_speedup_{n}", rate / single);
        }

        var (batched, separate) = await CompareCallsAsync(engine, clock, cancellationToken).ConfigureAwait(false);
        context.Log($"{ComparedBatch} streams: {batched:F2} tokens/s with batched calls, {separate:F2} with separate calls");
        results.Set($"batch_separate_calls_vs_batched_{ComparedBatch}", batched / separate);
    }

    /// <summary>Aggregate rates of <see cref="ComparedBatch"/> streams with the batched call structure and with separate calls, alternating.</summary>
    private static async Task<(double Batched, double Separate)> CompareCallsAsync(Engine.InferenceEngine engine, Stopwatch clock, CancellationToken cancellationToken)
    {
        double batched = 0, separate = 0;
        var defaults = (StackedProjections.Stacked, DecoderAttention.BatchDecodeSteps);
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                UseBatchedCalls(true);
                batched += await RateAsync(engine, ComparedBatch, $"batched{round}-", clock, cancellationToken).ConfigureAwait(false) / Rounds;
                UseBatchedCalls(false);
                separate += await RateAsync(engine, ComparedBatch, $"separate{round}-", clock, cancellationToken).ConfigureAwait(false) / Rounds;
            }
        }
        finally
        {
            (StackedProjections.Stacked, DecoderAttention.BatchDecodeSteps) = defaults;
        }

        return (batched, separate);
    }

    private static void UseBatchedCalls(bool batched)
    {
        StackedProjections.Stacked = batched;
        DecoderAttention.BatchDecodeSteps = batched;
    }

    private static async Task<double> RateAsync(Engine.InferenceEngine engine, int streams, string tag, Stopwatch clock, CancellationToken cancellationToken)
    {
        var runs = Enumerable.Range(0, streams)
            .Select(i => StreamTiming.RunAsync(engine, BenchPrompts.Request($"{tag}batch{streams}-{i}", BenchPrompts.Tokens(PromptTokens, 100 + i), NewTokens), clock, cancellationToken))
            .ToList();
        var timings = await Task.WhenAll(runs).ConfigureAwait(false);
        return streams == 1 ? 1 / timings[0].MeanInterTokenSeconds : StreamTiming.AggregateDecodeRate(timings);
    }
}
