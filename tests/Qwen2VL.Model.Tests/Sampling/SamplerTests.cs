using Qwen2VL.Model.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests.Sampling;

public class SamplerTests
{
    // χ² critical value for p = 0.001; the draws are seeded, so a pass is stable, and a biased sampler fails by far.
    private static readonly double[] ChiSquare999 = [0, 10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322];

    private readonly Sampler _sampler = new(new Random(12345));

    public SamplerTests()
    {
        torch.set_num_threads(1);
    }

    [Fact]
    public void Sample_GreedyTies_TakeLowestId()
    {
        using var logits = Batch([1f, 3f, 3f, 2f]);
        var result = _sampler.Sample(logits, [Start(SamplingParameters.Greedy)]);
        Assert.Equal(1, result[0].TokenId);
        Assert.Null(result[0].Logprob);
    }

    [Fact]
    public void Sample_GreedyWithRepetitionPenalty_PenalisesBeforeArgmax()
    {
        // 3 / 1.1 = 2.73 < 2.9: the seen token 0 loses to token 1.
        using var logits = Batch([3f, 2.9f], [3f, 2.9f]);
        var penalised = new SamplingParameters(temperature: 0, repetitionPenalty: 1.1);
        var result = _sampler.Sample(logits, [Start(penalised, 0), Start(SamplingParameters.Greedy, 0)]);
        Assert.Equal([1, 0], result.Select(r => r.TokenId));
    }

    [Fact]
    public void Sample_GreedyWithPresencePenalty_UsesOutputOnly()
    {
        // Token 0 is in the prompt only: presence penalty ignores it. After it is generated, 3 − 2 < 2.5.
        using var logits = Batch([3f, 2.5f]);
        var sequence = Start(new SamplingParameters(temperature: 0, presencePenalty: 2), 0);
        Assert.Equal(0, _sampler.Sample(logits, [sequence])[0].TokenId);
        sequence.History.Append(0);
        Assert.Equal(1, _sampler.Sample(logits, [sequence])[0].TokenId);
    }

    [Fact]
    public void Sample_Bfloat16Logits_SamplesAndReportsLogprobs()
    {
        using var logits = Batch([0.5f, 4f, 1f], [3f, 0f, 0f]).to(ScalarType.BFloat16);
        var greedy = new SamplingParameters(temperature: 0, logprobs: true);
        var sampled = new SamplingParameters(topK: 1, seed: 3);
        var result = _sampler.Sample(logits, [Start(greedy), Start(sampled)]);
        Assert.Equal([1, 0], result.Select(r => r.TokenId));
        double expected = 4 - Math.Log(Math.Exp(0.5) + Math.Exp(4) + Math.Exp(1));
        Assert.Equal(expected, result[0].Logprob!.Value, 1e-5);
    }

    [Fact]
    public void Sample_MixedBatch_GreedyRowsTakeArgmaxAndSampledRowsStayInFilter()
    {
        float[] row = [0f, 1f, 2f, 1.5f, -1f];
        using var logits = Batch(row, row, row, row);
        var result = _sampler.Sample(logits,
        [
            Start(SamplingParameters.Greedy),
            Start(new SamplingParameters(temperature: 1.3, topK: 2, seed: 1)),
            Start(new SamplingParameters(temperature: 0, repetitionPenalty: 2), 2),
            Start(new SamplingParameters(temperature: 0.8, topK: 1)),
        ]);
        Assert.Equal(2, result[0].TokenId);
        Assert.Contains(result[1].TokenId, new[] { 2, 3 });
        Assert.Equal(3, result[2].TokenId); // 2 / 2 = 1 < 1.5
        Assert.Equal(2, result[3].TokenId);
    }

    [Fact]
    public void Sample_SeededDraws_MatchSoftmaxOverTemperature()
    {
        double[] logits = [1, 0.5, 0, -0.5, 2, -1];
        const double temperature = 0.7;
        int[] counts = DrawMany(logits, seed => new SamplingParameters(temperature: temperature, seed: seed), 20_000);
        double[] expected = Softmax(logits.Select(l => l / temperature).ToArray());
        AssertChiSquare(counts, expected);
    }

    [Fact]
    public void Sample_UnseededDraws_MatchSoftmax()
    {
        double[] logits = [0.2, -0.3, 1.1, 0.0];
        int[] counts = DrawMany(logits, _ => new SamplingParameters(), 20_000);
        AssertChiSquare(counts, Softmax(logits));
    }

    [Fact]
    public void Sample_OneSeededSequenceOverSteps_MatchesSoftmax()
    {
        // The per-step stream of a single seed, not only the spread across seeds, must be uniform.
        double[] logits = [0.3, 1.2, -0.4, 0.8];
        using var batch = Batch(logits.Select(v => (float)v).ToArray());
        var sequence = Start(new SamplingParameters(seed: 2024));
        int[] counts = new int[logits.Length];
        for (int step = 0; step < 4000; step++)
        {
            int token = _sampler.Sample(batch, [sequence])[0].TokenId;
            counts[token]++;
            sequence.History.Append(token);
        }

        AssertChiSquare(counts, Softmax(logits));
    }

    [Fact]
    public void Sample_TopK_NeverDrawsFilteredTokenAndMatchesRenormalised()
    {
        double[] logits = [0.1, 2.0, -1.0, 1.5, 0.7, 1.9, -0.2, 0.0];
        int[] counts = DrawMany(logits, seed => new SamplingParameters(temperature: 1.5, topK: 3, seed: seed), 10_000);
        int[] kept = [1, 3, 5];
        AssertOnlyKept(counts, kept);
        AssertChiSquare(kept.Select(i => counts[i]).ToArray(), Softmax(kept.Select(i => logits[i] / 1.5).ToArray()));
    }

    [Fact]
    public void Sample_TopP_NeverDrawsOutsideNucleus()
    {
        // Probabilities 0.4, 0.25, 0.2, 0.1, 0.05: p = 0.8 keeps the first three (0.65 < 0.8 ≤ 0.85).
        double[] logits = new[] { 0.4, 0.25, 0.2, 0.1, 0.05 }.Select(p => Math.Log(p)).ToArray();
        int[] counts = DrawMany(logits, seed => new SamplingParameters(topP: 0.8, seed: seed), 10_000);
        AssertOnlyKept(counts, [0, 1, 2]);
        AssertChiSquare(counts[..3], [0.4 / 0.85, 0.25 / 0.85, 0.2 / 0.85]);
    }

    [Fact]
    public void Sample_MinP_NeverDrawsBelowThreshold()
    {
        // Probabilities 0.4, 0.25, 0.2, 0.1, 0.05: min_p 0.3 cuts below 0.12.
        double[] logits = new[] { 0.4, 0.25, 0.2, 0.1, 0.05 }.Select(p => Math.Log(p)).ToArray();
        int[] counts = DrawMany(logits, seed => new SamplingParameters(minP: 0.3, seed: seed), 10_000);
        AssertOnlyKept(counts, [0, 1, 2]);
    }

    [Fact]
    public void Sample_AllFiltersTogether_StayInIntersection()
    {
        double[] logits = [3.0, 2.9, 2.0, 1.0, 0.5, 0.4, 0.3, -2.0];
        // top-k keeps 0..4; the nucleus and min-p sets are then worked out from their definitions over those five.
        int[] counts = DrawMany(logits,
            seed => new SamplingParameters(temperature: 0.5, topK: 5, topP: 0.9, minP: 0.2, seed: seed), 5_000);
        double[] scaled = Softmax(logits.Take(5).Select(l => l / 0.5).ToArray());
        var kept = new List<int>();
        double mass = 0;
        for (int i = 0; i < scaled.Length && mass < 0.9; i++)
        {
            kept.Add(i);
            mass += scaled[i];
        }

        kept.RemoveAll(i => scaled[i] < 0.2 * scaled[0]);
        AssertOnlyKept(counts, [.. kept]);
    }

    [Fact]
    public void Sample_SameSeed_SameTokensWhateverTheBatch()
    {
        var parameters = new SamplingParameters(temperature: 0.9, topP: 0.95, seed: 1234);
        var alone = new List<int>();
        var crowded = new List<int>();
        var aloneSequence = Start(parameters, 1, 2, 3);
        var crowdedSequence = Start(parameters, 1, 2, 3);
        var others = new[]
        {
            Start(SamplingParameters.Greedy),
            Start(new SamplingParameters(temperature: 1.2)),
            Start(new SamplingParameters(seed: 99, topK: 10, repetitionPenalty: 1.3), 5),
        };
        var noise = new Random(7);
        for (int step = 0; step < 30; step++)
        {
            float[] row = StepLogits(step, 64);
            using var single = Batch(row);
            int token = _sampler.Sample(single, [aloneSequence])[0].TokenId;
            aloneSequence.History.Append(token);
            alone.Add(token);

            // The sequence moves around the batch and shares it with other kinds of rows.
            var rows = others.Select(_ => Noise(noise, 64)).ToList();
            int position = step % (others.Length + 1);
            rows.Insert(position, row);
            var sequences = others.ToList();
            sequences.Insert(position, crowdedSequence);
            using var batch = Batch([.. rows]);
            var results = _sampler.Sample(batch, sequences);
            crowdedSequence.History.Append(results[position].TokenId);
            crowded.Add(results[position].TokenId);
            for (int i = 0, j = 0; i < sequences.Count; i++)
            {
                if (i != position)
                {
                    others[j++].History.Append(results[i].TokenId);
                }
            }
        }

        Assert.Equal(alone, crowded);
        Assert.True(alone.Distinct().Count() > 5, "the seeded stream should actually sample, not collapse to one token");
    }

    [Fact]
    public void Sample_DifferentSeeds_GiveDifferentStreams()
    {
        float[] row = new float[32];
        using var logits = Batch(row, row);
        var a = Start(new SamplingParameters(seed: 1));
        var b = Start(new SamplingParameters(seed: 2));
        int same = 0;
        for (int step = 0; step < 20; step++)
        {
            var results = _sampler.Sample(logits, [a, b]);
            same += results[0].TokenId == results[1].TokenId ? 1 : 0;
            a.History.Append(results[0].TokenId);
            b.History.Append(results[1].TokenId);
        }

        Assert.True(same < 5, $"{same} of 20 draws agreed between seeds 1 and 2 over 32 equally likely tokens");
    }

    [Fact]
    public void Sample_Logprobs_EqualLogSoftmaxOfRawLogits()
    {
        var noise = new Random(3);
        float[][] rows = [.. Enumerable.Range(0, 3).Select(_ => Noise(noise, 20))];
        using var logits = Batch(rows);
        var sequences = new[]
        {
            Start(new SamplingParameters(temperature: 0.5, topK: 3, repetitionPenalty: 1.5, logprobs: true, topLogprobs: 5, seed: 4), 0, 1),
            Start(new SamplingParameters(temperature: 0, logprobs: true)),
            Start(new SamplingParameters(seed: 5)),
        };
        var results = _sampler.Sample(logits, sequences);

        for (int row = 0; row < 2; row++)
        {
            double[] expected = LogSoftmax(rows[row]);
            var result = results[row];
            Assert.Equal(expected[result.TokenId], result.Logprob!.Value, 1e-5);
            Assert.Equal(1 + expected.Count(v => v > expected[result.TokenId]), result.Rank);
            int[] best = [.. Enumerable.Range(0, 20).OrderByDescending(i => expected[i]).Take(sequences[row].Parameters.TopLogprobs)];
            Assert.Equal(best, result.TopLogprobs.Select(t => t.TokenId));
            Assert.All(result.TopLogprobs, t => Assert.Equal(expected[t.TokenId], t.Logprob, 1e-5));
        }

        Assert.Empty(results[1].TopLogprobs);
        Assert.Null(results[2].Logprob);
        Assert.Null(results[2].Rank);
    }

    [Fact]
    public void Sample_Float32Logits_AreNotModified()
    {
        float[] row = [1f, -2f, 0.5f];
        using var logits = Batch(row);
        var parameters = new SamplingParameters(temperature: 0.5, topK: 2, topP: 0.9, minP: 0.1, repetitionPenalty: 2,
            presencePenalty: 1, frequencyPenalty: 1, seed: 1);
        var sequence = Start(parameters, 0, 1);
        sequence.History.Append(2);
        _sampler.Sample(logits, [sequence]);
        Assert.Equal(row, logits.data<float>().ToArray());
    }

    [Fact]
    public void Sample_RowCountMismatch_Throws()
    {
        using var logits = Batch([1f, 2f], [1f, 2f]);
        var error = Assert.Throws<ArgumentException>(() => _sampler.Sample(logits, [Start(SamplingParameters.Greedy)]));
        Assert.Contains("B = 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 2]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_HistoryTokenOutsideVocabulary_ThrowsWithNumbers()
    {
        using var logits = Batch([1f, 2f, 3f]);
        var sequence = Start(new SamplingParameters(repetitionPenalty: 1.2), 7);
        var error = Assert.Throws<ArgumentException>(() => _sampler.Sample(logits, [sequence]));
        Assert.Contains("token id 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("vocabulary of 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_EmptyBatch_ReturnsEmpty()
    {
        using var logits = zeros(0, 10);
        Assert.Empty(_sampler.Sample(logits, []));
    }

    private int[] DrawMany(double[] logits, Func<long, SamplingParameters> parameters, int draws)
    {
        float[] row = [.. logits.Select(v => (float)v)];
        using var batch = Batch([.. Enumerable.Repeat(row, draws)]);
        var results = _sampler.Sample(batch, [.. Enumerable.Range(0, draws).Select(i => Start(parameters(i)))]);
        int[] counts = new int[logits.Length];
        foreach (var result in results)
        {
            counts[result.TokenId]++;
        }

        return counts;
    }

    private static void AssertOnlyKept(int[] counts, int[] kept)
    {
        for (int token = 0; token < counts.Length; token++)
        {
            if (kept.Contains(token))
            {
                Assert.True(counts[token] > 0, $"kept token {token} was never drawn: counts [{string.Join(", ", counts)}]");
            }
            else
            {
                Assert.True(counts[token] == 0, $"filtered token {token} was drawn {counts[token]} times");
            }
        }
    }

    private static void AssertChiSquare(int[] counts, double[] expectedProbabilities)
    {
        double total = counts.Sum();
        double statistic = counts.Select((c, i) => Math.Pow(c - (total * expectedProbabilities[i]), 2) / (total * expectedProbabilities[i])).Sum();
        double critical = ChiSquare999[counts.Length - 1];
        Assert.True(statistic < critical,
            $"χ² = {statistic:F2} over {counts.Length - 1} degrees of freedom exceeds {critical}: counts [{string.Join(", ", counts)}], " +
            $"expected [{string.Join(", ", expectedProbabilities.Select(p => (p * total).ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}]");
    }

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        double[] e = [.. logits.Select(l => Math.Exp(l - max))];
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    private static double[] LogSoftmax(float[] logits)
    {
        double max = logits.Max();
        double logSum = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
        return [.. logits.Select(l => l - logSum)];
    }

    private static float[] StepLogits(int step, int vocab) => Noise(new Random(1000 + step), vocab);

    private static float[] Noise(Random random, int vocab) => [.. Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 4))];

    private static SamplingSequence Start(SamplingParameters parameters, params int[] prompt) => SamplingSequence.Start(parameters, prompt);

    private static Tensor Batch(params float[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray()).view(rows.Length, rows[0].Length);
}
