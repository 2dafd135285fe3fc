using System.Diagnostics;
using Qwen2VL.Model.Stages;
using Qwen2VL.Model.Text;
using static TorchSharp.torch;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>prefill_text_tokens_per_s</c>: one forward of 1024 text tokens from an empty cache, head on the last row only,
/// and the same time over its matmul floor at the bf16 GEMM rate of this run; then the prompt attention against
/// LibTorch's SDPA with a causal mask, alternating, as <c>prefill_sdpa_attention_vs_blocked</c>.
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

        var (blocked, sdpa) = CompareAttention(model);
        context.Log($"prefill {Tokens} tokens: {blocked:F2} s with the blocked prompt attention, {sdpa:F2} s with SDPA");
        results.Set("prefill_sdpa_attention_vs_blocked", sdpa / blocked);
    }

    /// <summary>Shortest prefill with <see cref="PromptAttention"/> on and off, alternating.</summary>
    private static (double Blocked, double Sdpa) CompareAttention(Qwen2VLStage model)
    {
        bool enabled = PromptAttention.Enabled;
        double blocked = double.MaxValue, sdpa = double.MaxValue;
        try
        {
            for (int round = 0; round < 2; round++)
            {
                PromptAttention.Enabled = false;
                sdpa = Math.Min(sdpa, Prefill(model, Tokens, seed: 40 + round));
                PromptAttention.Enabled = true;
                blocked = Math.Min(blocked, Prefill(model, Tokens, seed: 40 + round));
            }
        }
        finally
        {
            PromptAttention.Enabled = enabled;
        }

        return (blocked, sdpa);
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
