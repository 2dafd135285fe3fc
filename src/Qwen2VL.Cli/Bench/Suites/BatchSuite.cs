using System.Diagnostics;
using Qwen2VL.Model.Text;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>batch_speedup_N</c>: aggregate decode tokens/s of N concurrent sequences through the engine's continuous batching,
/// over a single stream measured in the same run. The native decode attention (one call per step over every sequence's
/// cache) is then compared with LibTorch's attention called per sequence, interleaved, so its effect is a ratio from one run.
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

        var (native, perSequence) = await CompareAttentionAsync(engine, clock, cancellationToken).ConfigureAwait(false);
        context.Log($"{ComparedBatch} streams: {native:F2} tokens/s with the native decode attention, {perSequence:F2} with LibTorch's per sequence");
        results.Set($"batch_libtorch_attention_vs_native_{ComparedBatch}", native / perSequence);
    }

    /// <summary>Aggregate rates of <see cref="ComparedBatch"/> streams with the native decode attention and with LibTorch's per sequence, alternating.</summary>
    private static async Task<(double Native, double PerSequence)> CompareAttentionAsync(Engine.InferenceEngine engine, Stopwatch clock, CancellationToken cancellationToken)
    {
        double native = 0, perSequence = 0;
        bool enabled = NativeDecodeAttention.Enabled;
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                NativeDecodeAttention.Enabled = true;
                native += await RateAsync(engine, ComparedBatch, $"native{round}-", clock, cancellationToken).ConfigureAwait(false) / Rounds;
                NativeDecodeAttention.Enabled = false;
                perSequence += await RateAsync(engine, ComparedBatch, $"libtorch{round}-", clock, cancellationToken).ConfigureAwait(false) / Rounds;
            }
        }
        finally
        {
            NativeDecodeAttention.Enabled = enabled;
        }

        return (native, perSequence);
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
