using Qwen2VL.Tests.Shared;
using Qwen2Tokenizer = Qwen2VL.Processing.Text.Qwen2Tokenizer;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>
/// A golden case's greedy decode steps as log probabilities: the reference's top-5 logits of each step minus that
/// step's log-sum-exp over the whole vocabulary.
/// </summary>
public sealed class GoldenLogprobs
{
    /// <summary>Float32 end to end; the fixture's logit tolerance is 1e-4, so 1e-3 leaves room for the subtraction.</summary>
    public const float Tolerance = 1e-3f;

    private static readonly Lazy<Qwen2Tokenizer> Tokenizer = new(() => Qwen2Tokenizer.FromCheckpoint(TestPaths.Checkpoint));

    private GoldenLogprobs(int[] tokens, int[][] topIds, float[][] topLogprobs)
    {
        Tokens = tokens;
        TopIds = topIds;
        TopLogprobs = topLogprobs;
    }

    /// <summary>The greedy tokens, one per step.</summary>
    public int[] Tokens { get; }

    /// <summary>The five most likely token ids of each step, best first.</summary>
    public int[][] TopIds { get; }

    /// <summary>Their log probabilities.</summary>
    public float[][] TopLogprobs { get; }

    public static GoldenLogprobs ForCase(string caseName)
    {
        var golden = GoldenTensors.ForCase(caseName);
        int steps = (int)golden["gen_tokens"].Shape[1];
        long[] tokens = golden["gen_tokens"].AsInt64();
        long[] ids = golden["gen_top5_ids"].AsInt64();
        float[] values = golden["gen_top5_values"].AsFloat32();
        float[] logSumExp = golden["gen_logsumexp"].AsFloat32();
        return new GoldenLogprobs(
            tokens.Take(steps).Select(t => (int)t).ToArray(),
            Enumerable.Range(0, steps).Select(s => ids.Skip(s * 5).Take(5).Select(i => (int)i).ToArray()).ToArray(),
            Enumerable.Range(0, steps).Select(s => values.Skip(s * 5).Take(5).Select(v => v - logSumExp[s]).ToArray()).ToArray());
    }

    /// <summary>A token as the API reports it: decoded on its own.</summary>
    public static string TokenText(int id) => Tokenizer.Value.Decode([id]);
}
