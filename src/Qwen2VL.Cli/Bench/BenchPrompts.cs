using Qwen2VL.Engine;
using Qwen2VL.Model.Sampling;

namespace Qwen2VL.Cli.Bench;

/// <summary>Deterministic text-only prompts and greedy requests for the engine suites.</summary>
internal static class BenchPrompts
{
    // Ordinary vocabulary ids only: ids from 151643 up are special and vision tokens.
    private const int OrdinaryTokens = 150_000;

    /// <summary><paramref name="count"/> token ids drawn from <paramref name="seed"/>.</summary>
    public static int[] Tokens(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(OrdinaryTokens)).ToArray();
    }

    /// <summary>A greedy request over a text prompt that never stops at EOS, so it generates exactly <paramref name="newTokens"/>.</summary>
    public static GenerationRequest Request(string key, int[] prompt, int newTokens, bool keepCache = false) => new()
    {
        SequenceKey = key,
        TenantId = "bench",
        PromptTokens = prompt,
        PromptPositions = TextPositions(prompt.Length),
        RopeDelta = 0,
        Sampling = new SamplingParameters(temperature: 0, maxNewTokens: newTokens, ignoreEos: true),
        KeepCache = keepCache,
    };

    /// <summary>M-RoPE positions of a text-only prompt: the token index on all three rows.</summary>
    public static long[] TextPositions(int length)
    {
        var positions = new long[3 * length];
        for (int row = 0; row < 3; row++)
        {
            for (int i = 0; i < length; i++)
            {
                positions[(row * length) + i] = i;
            }
        }

        return positions;
    }
}
