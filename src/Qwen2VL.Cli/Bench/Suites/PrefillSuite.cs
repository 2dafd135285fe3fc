using System.Diagnostics;
using Qwen2VL.Model.Stages;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>prefill_text_tokens_per_s</c>: one forward of 1024 text tokens from an empty cache, head on the last row only,
/// and the same time over its matmul floor at the bf16 GEMM rate of this run.
/// </summary>
internal sealed class PrefillSuite : IBenchSuite
{
    private const int Tokens = 1024;

    public string Name => "prefill";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        var model = context.Model;
        Prefill(model, 128, seed: 30); // warm-up
        var (seconds, rate) = await BenchContext.Bracket(context.MeasureBf16GemmRate,
            () => Task.FromResult(Math.Min(Prefill(model, Tokens, seed: 31), Prefill(model, Tokens, seed: 32)))).ConfigureAwait(false);
        double floor = MatmulFlops.TextPrefill(context.Config, Tokens) / rate;
        context.Log($"prefill {Tokens} tokens in {seconds:F2} s; matmul floor {floor:F2} s");
        results.Set("prefill_text_tokens_per_s", Tokens / seconds);
        results.Set("prefill_vs_matmul_floor", seconds / floor);
    }

    private static double Prefill(Qwen2VLStage model, int tokens, int seed)
    {
        using var scope = NewDisposeScope();
        using var cache = model.CreateKvCache(tokens, tokens);
        long[] ids = BenchPrompts.Tokens(tokens, seed).Select(t => (long)t).ToArray();
        var input = new StageInput
        {
            Segments = [new SequenceSegment(cache, 0, tokens)],
            InputIds = tensor(ids),
            PositionIds = tensor(BenchPrompts.TextPositions(tokens), new long[] { 3, tokens }),
        };
        var clock = Stopwatch.StartNew();
        using var output = model.Forward(input);
        return clock.Elapsed.TotalSeconds;
    }
}
