using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests.Support;

/// <summary>Greedy decoding checked against the golden steps.</summary>
public static class GoldenDecode
{
    private const double LogitsAtol = 5e-4;
    private const double LogsumexpAtol = 1e-4;

    /// <summary>
    /// Checks <paramref name="lastLogits"/> [B, vocab] (each row's last prompt token) as golden step
    /// <paramref name="firstStep"/>, then feeds the greedy token back at gen_position_ids and checks every later step.
    /// </summary>
    public static void CheckSteps(Qwen2VLStage stage, GoldenPrompt prompt, IReadOnlyList<KvCache> caches, Tensor lastLogits, int firstStep, string what)
    {
        int steps = (int)prompt["gen_tokens"].Shape[1];
        CheckSteps(prompt, lastLogits, firstStep, steps, what, (tokens, step) =>
        {
            using var output = stage.Forward(prompt.DecodeStep(caches, tokens, step));
            return output.Logits!.clone();
        });
    }

    /// <summary>The same check, with <paramref name="decode"/> producing the next logits from (tokens, step).</summary>
    public static void CheckSteps(GoldenPrompt prompt, Tensor lastLogits, int firstStep, int lastStep, string what, Func<long[], int, Tensor> decode)
    {
        var golden = prompt["gen_tokens"].AsInt64();
        int steps = (int)prompt["gen_tokens"].Shape[1];
        var genCols = prompt["gen_logits_cols"];
        var genLse = prompt["gen_logsumexp"];
        using var colIds = tensor(prompt["logits_col_ids"].AsInt64());
        var logits = lastLogits;
        for (int step = firstStep; step < lastStep; step++)
        {
            using var columns = logits.index_select(1, colIds);
            float[] expected = Enumerable.Range(0, prompt.Batch).SelectMany(b => GoldenPrompt.At(genCols, b, step)).ToArray();
            TensorAssert.Close(expected, TensorAssert.Floats(columns), LogitsAtol, 0, $"{what} step {step} logits");
            using var lse = logits.logsumexp(-1);
            float[] expectedLse = Enumerable.Range(0, prompt.Batch).SelectMany(b => GoldenPrompt.At(genLse, b, step)).ToArray();
            TensorAssert.Close(expectedLse, TensorAssert.Floats(lse), LogsumexpAtol, 0, $"{what} step {step} logsumexp");

            using var argmax = logits.argmax(-1);
            long[] tokens = argmax.data<long>().ToArray();
            for (int b = 0; b < prompt.Batch; b++)
            {
                Assert.True(golden[(b * steps) + step] == tokens[b], $"{what} row {b} step {step}: token {tokens[b]}, expected {golden[(b * steps) + step]}");
            }

            if (!ReferenceEquals(logits, lastLogits))
            {
                logits.Dispose();
            }

            logits = step + 1 < lastStep ? decode(tokens, step) : lastLogits;
        }
    }
}
