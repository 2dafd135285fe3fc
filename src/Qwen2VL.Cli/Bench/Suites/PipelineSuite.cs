using System.Diagnostics;
using Qwen2VL.Cli.Bench.Cluster;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>pipeline2_vs_1_throughput</c>: decode tokens/s of the model split into two pipeline stages in separate processes
/// (the server's <c>--pipeline-stages 2</c>: stage 0 in the server, stage 1 a child process over loopback gRPC) over the
/// same server with one stage, on the same host, measured in interleaved rounds. Four concurrent greedy streams give
/// the aggregate decode rate (one stream is reported too). Every answer must be the same on both, text and token count.
/// </summary>
internal sealed class PipelineSuite : IBenchSuite
{
    private const int Streams = 4;

    private static readonly string[] Prompts =
    [
        "Describe a quiet harbour town at dawn.",
        "List three facts about trains and explain each one in a sentence.",
        "What colour is the sky over the market in the morning, and why?",
        "Summarise the story of a small red house near a river.",
    ];

    public string Name => "pipeline";

    /// <summary>
    /// With <c>--model</c>, that checkpoint gives the keys. Otherwise the benchmarked config (random weights, the tiny
    /// checkpoint's tokenizer) gives them — the split as users of that model see it — and the tiny checkpoint gives
    /// <c>_tiny</c> keys, where a few milliseconds of compute per token expose the hop's own cost.
    /// </summary>
    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        if (context.ServableCheckpoint(results, "pipeline2_vs_1_throughput") is not { } served)
        {
            return;
        }

        if (context.ServeModelGiven)
        {
            await MeasureAsync(context, results, served, "", newTokens: 128, rounds: 7, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Each round of the tiny model lasts about a second; on a shared machine single runs swing by 2× or more, the median of 7 far less.
        await MeasureAsync(context, results, served, "_tiny", newTokens: 128, rounds: 7, cancellationToken).ConfigureAwait(false);
        if (context.ServableRandomCheckpoint(results, "pipeline2_vs_1_throughput") is { } random)
        {
            // A 2B round takes tens of seconds on 2 cores: fewer tokens and rounds keep the suite to a few minutes.
            await MeasureAsync(context, results, random, "", newTokens: 24, rounds: 3, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task MeasureAsync(BenchContext context, BenchResults results, string checkpoint, string suffix, int newTokens, int rounds, CancellationToken cancellationToken)
    {
        int threads = get_num_threads();
        await using var one = await BenchServer.StartEmbeddedAsync(checkpoint, threads, 1, cancellationToken).ConfigureAwait(false);
        await using var two = await BenchServer.StartEmbeddedAsync(checkpoint, threads, 2, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var rates = new Dictionary<BenchServer, (List<double> Batch, List<double> Single)> { [one] = (new(), new()), [two] = (new(), new()) };
        var answers = new Dictionary<BenchServer, TimedAnswer[]>();
        string model = ServableCheckpoint.Describe(checkpoint);
        // Round 0 warms both servers (JIT, first allocations, the stage connection) and is not counted.
        for (int round = 0; round <= rounds; round++)
        {
            foreach (var server in new[] { one, two })
            {
                var batch = await Task.WhenAll(Prompts.Take(Streams).Select(p => RemoteAnswer.GenerateAsync(server.Grpc, p, newTokens, clock, cancellationToken))).ConfigureAwait(false);
                var single = await RemoteAnswer.GenerateAsync(server.Grpc, Prompts[0], newTokens, clock, cancellationToken).ConfigureAwait(false);
                answers[server] = [.. batch, single];
                if (round > 0)
                {
                    rates[server].Batch.Add(TimedAnswer.AggregateDecodeRate(batch));
                    rates[server].Single.Add(1 / single.SecondsPerToken);
                    context.Log($"{model}, round {round}, {(server == one ? 1 : 2)} stage(s): {Streams} streams {rates[server].Batch[^1]:F1} tokens/s ({string.Join(", ", batch.Select(a => a.Tokens))} tokens), 1 stream {rates[server].Single[^1]:F1} ({single.Tokens} tokens)");
                }
            }

            if (!answers[one].Zip(answers[two]).All(pair => pair.First.SameAs(pair.Second)))
            {
                throw new InvalidOperationException($"round {round}: the 2-stage pipeline answered differently from the single stage: " +
                    string.Join("; ", answers[one].Zip(answers[two]).Select(p => $"{p.First} vs {p.Second}")));
            }
        }

        double batchOne = Median.Of(rates[one].Batch), batchTwo = Median.Of(rates[two].Batch);
        double singleOne = Median.Of(rates[one].Single), singleTwo = Median.Of(rates[two].Single);
        context.Log($"{model}: decode tokens/s, median of {rounds}: {Streams} streams 1 stage {batchOne:F1}, 2 stages {batchTwo:F1}; " +
            $"1 stream 1 stage {singleOne:F1}, 2 stages {singleTwo:F1} (bf16, {threads} threads per process)");
        results.Set($"pipeline2_vs_1_throughput{suffix}", batchTwo / batchOne);
        results.Set($"pipeline2_vs_1_single_stream{suffix}", singleTwo / singleOne);
        results.Note($"pipeline{suffix}: {model}, {Streams} streams × {newTokens} greedy tokens, median of {rounds} rounds; the same answers (text and token count) with 1 and 2 stages in every round");
    }
}
