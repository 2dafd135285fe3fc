using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Cli.Bench.Cluster;
using Qwen2VL.Engine;
using Qwen2VL.Engine.Text;
using Qwen2VL.Model;
using Qwen2VL.Model.Stages;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Server.Worker;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>cluster_overhead_ms_per_token</c>: what the serving path adds to each streamed token over the engine alone. The same
/// greedy answer (same prompt, same number of tokens) is timed, in interleaved rounds, from an engine in this process and
/// through the production topology: public gRPC → gateway → stateless chat grain → worker process over the worker gRPC API,
/// and the same through the OpenAI HTTP API (server-sent events). Both sides use the same checkpoint, dtype and
/// threads; the difference of the median decode time per token is the overhead.
/// </summary>
internal sealed class ClusterSuite : IBenchSuite
{
    private const int NewTokens = 128;
    // Many short rounds: on a shared machine the median of 9 moves far less than one long run would.
    private const int Rounds = 9;
    private const string Prompt = "Describe a quiet harbour town at dawn: its boats, its market and the people who work there.";

    public string Name => "cluster";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        if (context.ServableCheckpoint(results, "cluster_overhead_ms_per_token") is not { } checkpoint)
        {
            return;
        }

        int threads = get_num_threads();
        await using var server = await BenchServer.StartWithRemoteWorkerAsync(checkpoint, threads, cancellationToken).ConfigureAwait(false);
        using var stage = Qwen2VLStage.Load(checkpoint, new ModelPlacement(ScalarType.BFloat16, CPU));
        var prompts = PromptBuilder.FromCheckpoint(checkpoint);
        var eos = GenerationDefaults.Load(checkpoint, prompts.Tokenizer.EosTokenIds).EosTokenIds;
        await using var engine = new InferenceEngine(stage, eos, new EngineOptions(), NullLogger<InferenceEngine>.Instance);
        var generator = new TextGenerator(engine, prompts);
        var http = HttpAnswer.Client(server.HttpAddress, BenchServer.ModelName);
        var clock = Stopwatch.StartNew();

        var paths = new (string Name, Func<Task<TimedAnswer>> Answer)[]
        {
            ("in-process", () => LocalAnswer.GenerateAsync(generator, Prompt, NewTokens, clock, cancellationToken)),
            ("gRPC", () => RemoteAnswer.GenerateAsync(server.Grpc, Prompt, NewTokens, clock, cancellationToken)),
            ("HTTP", () => HttpAnswer.GenerateAsync(http, Prompt, NewTokens, clock, cancellationToken)),
        };
        var msPerToken = paths.ToDictionary(p => p.Name, _ => new List<double>());
        TimedAnswer? reference = null;
        // Round 0 warms every path (JIT, first allocations, connections) and is not counted. The order rotates each
        // round, so no path always runs right after another one's allocations.
        for (int round = 0; round <= Rounds; round++)
        {
            for (int i = 0; i < paths.Length; i++)
            {
                var (name, answer) = paths[(round + i) % paths.Length];
                var timed = await answer().ConfigureAwait(false);
                reference ??= timed;
                if (!timed.SameAs(reference))
                {
                    throw new InvalidOperationException($"the {name} answer differs from the others: {timed} vs {reference}");
                }

                if (round > 0)
                {
                    msPerToken[name].Add(timed.SecondsPerToken * 1e3);
                }
            }
        }

        double localMs = Median.Of(msPerToken["in-process"]), grpcMs = Median.Of(msPerToken["gRPC"]), sseMs = Median.Of(msPerToken["HTTP"]);
        context.Log($"decode ms/token over {reference!.Tokens} tokens, median of {Rounds}: in-process {localMs:F2}, " +
            $"gRPC → gateway → grain → worker process {grpcMs:F2}, same over HTTP/SSE {sseMs:F2} (bf16, {threads} threads)");
        results.Set("cluster_engine_ms_per_token", localMs);
        results.Set("cluster_overhead_ms_per_token", grpcMs - localMs);
        results.Set("cluster_overhead_http_ms_per_token", sseMs - localMs);
        results.Note($"cluster: {ServableCheckpoint.Describe(checkpoint)}, {reference.Tokens} greedy tokens per answer, the same text and token count on all three paths");
    }
}
