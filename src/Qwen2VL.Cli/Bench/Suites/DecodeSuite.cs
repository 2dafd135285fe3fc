using System.Diagnostics;
using Qwen2VL.Engine;
using Qwen2VL.Model.Layers;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// Batch-1 decoding through the engine against its memory floor: the language model's weight bytes over the read
/// bandwidth of a streaming read measured in this run. The same decode with LibTorch's linear in place of the decode
/// kernel runs interleaved with it, so the kernel's effect is a ratio from one run, not a comparison across runs.
/// </summary>
internal sealed class DecodeSuite : IBenchSuite
{
    private const int PromptTokens = 32;
    private const int NewTokens = 32;
    private const int Rounds = 2;

    public string Name => "decode";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        await using var engine = context.NewEngine();
        var clock = Stopwatch.StartNew();
        // Warm-up: kernel selection and first-touch of activations are not part of steady-state decoding.
        await StreamTiming.RunAsync(engine, BenchPrompts.Request("warm", BenchPrompts.Tokens(PromptTokens, 2), 4), clock, cancellationToken).ConfigureAwait(false);
        var ((kernel, libtorch), bandwidth) = await BenchContext.Bracket(context.MeasureReadBandwidth, async () =>
        {
            double withKernel = 0, withLibTorch = 0;
            try
            {
                for (int round = 0; round < Rounds; round++)
                {
                    withKernel += await PerTokenAsync(engine, useKernel: true, round, clock, cancellationToken).ConfigureAwait(false) / Rounds;
                    withLibTorch += await PerTokenAsync(engine, useKernel: false, round, clock, cancellationToken).ConfigureAwait(false) / Rounds;
                }
            }
            finally
            {
                LinearProjection.UseDecodeKernel = true;
            }

            return (withKernel, withLibTorch);
        }).ConfigureAwait(false);
        double floorSeconds = context.LanguageModelBytes / bandwidth;

        context.Log($"decode {kernel * 1e3:F1} ms/token (LibTorch linear {libtorch * 1e3:F1}); floor {floorSeconds * 1e3:F1} ms ({context.LanguageModelBytes / 1e9:F2} GB at {bandwidth / 1e9:F1} GB/s)");
        results.Set("decode_ms_per_token_bf16", kernel * 1e3);
        results.Set("decode_floor_ms_per_token_bf16", floorSeconds * 1e3);
        results.Set("decode_vs_floor", kernel / floorSeconds);
        results.Set("memory_read_gb_per_s", bandwidth / 1e9);
        results.Set("decode_libtorch_linear_vs_kernel", libtorch / kernel);
    }

    private static async Task<double> PerTokenAsync(InferenceEngine engine, bool useKernel, int round, Stopwatch clock, CancellationToken cancellationToken)
    {
        LinearProjection.UseDecodeKernel = useKernel;
        var request = BenchPrompts.Request($"decode-{round}-{useKernel}", BenchPrompts.Tokens(PromptTokens, 3 + round), NewTokens);
        var timing = await StreamTiming.RunAsync(engine, request, clock, cancellationToken).ConfigureAwait(false);
        return timing.MeanInterTokenSeconds;
    }
}
