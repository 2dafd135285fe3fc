using Qwen2VL.Model.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests.Sampling;

/// <summary>Each processor against numbers worked out by hand from its definition.</summary>
public class LogitsProcessorTests
{
    private const float NegInf = float.NegativeInfinity;

    public LogitsProcessorTests()
    {
        torch.set_num_threads(1);
    }

    [Fact]
    public void RepetitionPenalty_SeenTokens_DividePositiveMultiplyNegative()
    {
        // Seen: tokens 0 (logit 2), 1 (−1) and 3 (0); token 2 unseen keeps 0.5.
        using var logits = Rows([2f, -1f, 0.5f, 0f]);
        using var seen = tensor(new[] { true, true, false, true }).view(1, 4);
        using var penalty = Column(2f);
        using var result = RepetitionPenalty.Apply(logits, seen, penalty);
        AssertRow([1f, -2f, 0.5f, 0f], result, 0);
    }

    [Fact]
    public void RepetitionPenalty_BelowOne_RaisesSeenTokens()
    {
        using var logits = Rows([2f, -1f]);
        using var seen = tensor(new[] { true, true }).view(1, 2);
        using var penalty = Column(0.5f);
        using var result = RepetitionPenalty.Apply(logits, seen, penalty);
        AssertRow([4f, -0.5f], result, 0);
    }

    [Fact]
    public void OutputPenalties_CountsAndPresence_SubtractPerDefinition()
    {
        // logit − count·0.25 − [count > 0]·0.5 for counts 0, 1, 3, 0.
        using var logits = Rows([1f, 1f, 1f, 1f]);
        using var counts = tensor(new[] { 0f, 1f, 3f, 0f }).view(1, 4);
        using var presence = Column(0.5f);
        using var frequency = Column(0.25f);
        using var result = OutputPenalties.Apply(logits, counts, presence, frequency);
        AssertRow([1f, 0.25f, -0.25f, 1f], result, 0);
    }

    [Fact]
    public void TemperatureScaling_PerRow_DividesByOwnTemperature()
    {
        using var logits = Rows([2f, 4f], [2f, 4f]);
        using var temperature = Column(0.5f, 2f);
        using var result = TemperatureScaling.Apply(logits, temperature);
        AssertRow([4f, 8f], result, 0);
        AssertRow([1f, 2f], result, 1);
    }

    [Fact]
    public void TopKFilter_TieAtKth_KeepsTiedTokens()
    {
        using var logits = Rows([1f, 5f, 3f, 5f, 2f], [1f, 5f, 3f, 5f, 2f], [1f, 5f, 3f, 5f, 2f], [1f, 5f, 3f, 5f, 2f]);
        using var result = TopKFilter.Apply(logits, [2, 3, 0, 99]);
        AssertRow([NegInf, 5f, NegInf, 5f, NegInf], result, 0); // 2nd highest is 5 (tied): both 5s stay
        AssertRow([NegInf, 5f, 3f, 5f, NegInf], result, 1);      // 3rd highest is 3
        AssertRow([1f, 5f, 3f, 5f, 2f], result, 2);               // 0 = off
        AssertRow([1f, 5f, 3f, 5f, 2f], result, 3);               // k above V keeps all
    }

    [Fact]
    public void TopPFilter_Thresholds_KeepSmallestSetReachingP()
    {
        // Probabilities 0.5, 0.3, 0.15, 0.05 (logits are their logs, in shuffled order: ids 2, 0, 3, 1).
        float[] logits = [MathF.Log(0.3f), MathF.Log(0.05f), MathF.Log(0.5f), MathF.Log(0.15f)];
        using var batch = Rows(logits, logits, logits, logits);
        using var topP = Column(0.4f, 0.7f, 0.85f, 1f);
        using var result = TopPFilter.Apply(batch, topP);
        // Mass of strictly more likely tokens: id2 0, id0 0.5, id3 0.8, id1 0.95; dropped when ≥ p.
        AssertRow([NegInf, NegInf, logits[2], NegInf], result, 0);
        AssertRow([logits[0], NegInf, logits[2], NegInf], result, 1);
        AssertRow([logits[0], NegInf, logits[2], logits[3]], result, 2);
        AssertRow(logits, result, 3);
    }

    [Fact]
    public void TopPFilter_AfterTopK_RenormalisesOverSurvivors()
    {
        // Survivors of top-k = 2 have logits ln 0.3 and ln 0.1: renormalised 0.75 and 0.25, so p = 0.7 keeps only
        // the first (0.75 ≥ 0.7), while over the full distribution it would also need the second.
        float[] logits = [MathF.Log(0.3f), MathF.Log(0.1f), MathF.Log(0.05f), MathF.Log(0.55f) - 10f];
        using var input = Rows(logits);
        using var filtered = TopKFilter.Apply(input, [2]);
        using var topP = Column(0.7f);
        using var result = TopPFilter.Apply(filtered, topP);
        AssertRow([logits[0], NegInf, NegInf, NegInf], result, 0);
    }

    [Theory]
    [InlineData(6.0, 0.9)]  // peaked: the nucleus lies inside the top 1024 candidates (fast path)
    [InlineData(0.5, 0.9)]  // flat: the nucleus needs most of the 5000 tokens (full sort)
    [InlineData(6.0, 0.3)]
    public void TopPFilter_LargeVocabulary_KeepsNucleusByDefinition(double scale, double p)
    {
        var random = new Random(11);
        float[][] rows = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 5000).Select(_ => (float)(Gaussian(random) * scale)).ToArray())];
        using var batch = Rows(rows);
        using var topP = Column((float)p, (float)p, 1f);
        using var result = TopPFilter.Apply(batch, topP);
        for (int row = 0; row < rows.Length; row++)
        {
            bool[] expected = row == 2 ? [.. rows[row].Select(_ => true)] : NucleusByDefinition(rows[row], p);
            bool[] kept = [.. result[row].data<float>().ToArray().Select(v => !float.IsNegativeInfinity(v))];
            Assert.Equal(expected, kept);
        }
    }

    [Fact]
    public void MinPFilter_Threshold_ScalesWithTopProbability()
    {
        // Probabilities 0.5, 0.3, 0.15, 0.05: min_p 0.2 → cut at 0.1; 0.5 → cut at 0.25; 0 → off.
        float[] logits = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)];
        using var batch = Rows(logits, logits, logits);
        using var minP = Column(0.2f, 0.5f, 0f);
        using var result = MinPFilter.Apply(batch, minP);
        AssertRow([logits[0], logits[1], logits[2], NegInf], result, 0);
        AssertRow([logits[0], logits[1], NegInf, NegInf], result, 1);
        AssertRow(logits, result, 2);
    }

    [Fact]
    public void MinPFilter_One_KeepsOnlyTheTop()
    {
        float[] logits = [0f, 3f, 1f];
        using var input = Rows(logits);
        using var minP = Column(1f);
        using var result = MinPFilter.Apply(input, minP);
        AssertRow([NegInf, 3f, NegInf], result, 0);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.19, 0)]
    [InlineData(0.25, 2)]   // cdf 0.2, 0.2, 0.7, 1.0: x = 0.25 is past token 1's empty step
    [InlineData(0.69, 2)]
    [InlineData(0.75, 3)]
    [InlineData(0.9999999999, 3)]
    public void InverseCdfDraw_Uniform_PicksFirstTokenPastIt(double u, long expected)
    {
        using var probs = tensor(new[] { 0.2, 0.0, 0.5, 0.3 }).view(1, 4);
        using var drawn = InverseCdfDraw.Draw(probs, [u]);
        Assert.Equal(expected, drawn.item<long>());
    }

    [Fact]
    public void InverseCdfDraw_UnnormalisedWithTrailingZeros_NeverPicksZeroWeight()
    {
        using var probs = tensor(new[] { 2f, 2f, 0f, 0f, 2f, 0f }).view(1, 6);
        long[] drawn = [.. new[] { 0.0, 0.34, 0.5, 0.67, 1 - 1e-16, 0.9999999999999999 }
            .Select(u => { using var t = InverseCdfDraw.Draw(probs, [u]); return t.item<long>(); })];
        Assert.Equal([0L, 1, 1, 4, 4, 4], drawn);
    }

    private static bool[] NucleusByDefinition(float[] logits, double p)
    {
        double max = logits.Max();
        double[] weights = [.. logits.Select(l => Math.Exp(l - max))];
        double total = weights.Sum();
        bool[] keep = new bool[logits.Length];
        double before = 0;
        foreach (int id in Enumerable.Range(0, logits.Length).OrderByDescending(i => weights[i]))
        {
            keep[id] = before < p;
            before += weights[id] / total;
        }

        return keep;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static Tensor Rows(params float[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray()).view(rows.Length, rows[0].Length);

    private static Tensor Column(params float[] values) => tensor(values).view(values.Length, 1);

    private static void AssertRow(float[] expected, Tensor actual, int row)
    {
        float[] values = actual[row].data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNegativeInfinity(expected[i]))
            {
                Assert.True(float.IsNegativeInfinity(values[i]), $"row {row} token {i}: expected −∞, got {values[i]}");
            }
            else
            {
                Assert.True(Math.Abs(expected[i] - values[i]) < 1e-5f, $"row {row} token {i}: expected {expected[i]}, got {values[i]}");
            }
        }
    }
}
