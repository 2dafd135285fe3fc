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
    /// Checks <paramref name="output"/> (last-token logits of each row) as golden step <paramref name="firstStep"/>, then
    /// feeds the greedy token back at gen_position_ids and checks every later step. Disposes <paramref name="output"/>.
    /// </summary>
    public static void CheckSteps(Qwen2VLStage stage, GoldenPrompt prompt, IReadOnlyList<KvCache> caches, StageOutput output, int firstStep, string what)
    {
        var golden = prompt["gen_tokens"].AsInt64();
        int steps = (int)prompt["gen_tokens"].Shape[1];
        using var colIds = tensor(prompt["logits_col_ids"].AsInt64());
        var current = output;
        for (int step = firstStep; step < steps; step++)
        {
            try
            {
                var logits = current.Logits!;
                using var columns = logits.index_select(1, colIds);
                float[] expected = Enumerable.Range(0, prompt.Batch).SelectMany(b => GoldenPrompt.At(prompt["gen_logits_cols"], b, step)).ToArray();
                TensorAssert.Close(expected, TensorAssert.Floats(columns), LogitsAtol, 0, $"{what} step {step} logits");
                using var lse = logits.logsumexp(-1);
                float[] expectedLse = Enumerable.Range(0, prompt.Batch).SelectMany(b => GoldenPrompt.At(prompt["gen_logsumexp"], b, step)).ToArray();
                TensorAssert.Close(expectedLse, TensorAssert.Floats(lse), LogsumexpAtol, 0, $"{what} step {step} logsumexp");

                using var argmax = logits.argmax(-1);
                long[] tokens = argmax.data<long>().ToArray();
                for (int b = 0; b < prompt.Batch; b++)
                {
                    Assert.True(golden[(b * steps) + step] == tokens[b], $"{what} row {b} step {step}: token {tokens[b]}, expected {golden[(b * steps) + step]}");
                }

                var previous = current;
                current = step + 1 < steps ? stage.Forward(prompt.DecodeStep(caches, tokens, step)) : current;
                if (!ReferenceEquals(previous, current))
                {
                    previous.Dispose();
                }
            }
            catch
            {
                current.Dispose();
                throw;
            }
        }

        current.Dispose();
    }
}
