using System.Diagnostics;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// Batch-1 decoding through the engine against its memory floor: the language model's weight bytes over the read
/// bandwidth of a streaming read measured in this run.
/// </summary>
internal sealed class DecodeSuite : IBenchSuite
{
    private const int PromptTokens = 32;
    private const int NewTokens = 32;

    public string Name => "decode";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        double floorSeconds = context.LanguageModelBytes / context.ReadBandwidth;
        double perToken;
        await using (var engine = context.NewEngine())
        {
            var clock = Stopwatch.StartNew();
            // Warm-up: kernel selection and first-touch of activations are not part of steady-state decoding.
            await StreamTiming.RunAsync(engine, BenchPrompts.Request("warm", BenchPrompts.Tokens(PromptTokens, 2), 4), clock, cancellationToken).ConfigureAwait(false);
            var timing = await StreamTiming.RunAsync(engine, BenchPrompts.Request("decode", BenchPrompts.Tokens(PromptTokens, 3), NewTokens), clock, cancellationToken).ConfigureAwait(false);
            perToken = timing.MeanInterTokenSeconds;
        }

        context.Log($"decode {perToken * 1e3:F1} ms/token; floor {floorSeconds * 1e3:F1} ms ({context.LanguageModelBytes / 1e9:F2} GB at {context.ReadBandwidth / 1e9:F1} GB/s)");
        results.Set("decode_ms_per_token_bf16", perToken * 1e3);
        results.Set("decode_floor_ms_per_token_bf16", floorSeconds * 1e3);
        results.Set("decode_vs_floor", perToken / floorSeconds);
        results.Set("memory_read_gb_per_s", context.ReadBandwidth / 1e9);
    }
}
