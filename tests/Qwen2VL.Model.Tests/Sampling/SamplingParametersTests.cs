using Qwen2VL.Model.Sampling;

namespace Qwen2VL.Model.Tests.Sampling;

public class SamplingParametersTests
{
    public static TheoryData<Func<SamplingParameters>, string, string> InvalidCases => new()
    {
        { () => new SamplingParameters(temperature: -0.1), "temperature", "-0.1" },
        { () => new SamplingParameters(temperature: double.NaN), "temperature", "NaN" },
        { () => new SamplingParameters(temperature: double.PositiveInfinity), "temperature", "Infinity" },
        { () => new SamplingParameters(topP: 0), "top_p", "0" },
        { () => new SamplingParameters(topP: 1.5), "top_p", "1.5" },
        { () => new SamplingParameters(topK: -2), "top_k", "-2" },
        { () => new SamplingParameters(minP: -0.01), "min_p", "-0.01" },
        { () => new SamplingParameters(minP: 1.01), "min_p", "1.01" },
        { () => new SamplingParameters(repetitionPenalty: 0), "repetition_penalty", "0" },
        { () => new SamplingParameters(repetitionPenalty: -1), "repetition_penalty", "-1" },
        { () => new SamplingParameters(presencePenalty: 2.5), "presence_penalty", "2.5" },
        { () => new SamplingParameters(frequencyPenalty: -2.01), "frequency_penalty", "-2.01" },
        { () => new SamplingParameters(maxNewTokens: 0), "max_tokens", "0" },
        { () => new SamplingParameters(stopTokenIds: [5, -3]), "stop_token_ids", "-3" },
        { () => new SamplingParameters(logprobs: true, topLogprobs: 21), "top_logprobs", "21" },
        { () => new SamplingParameters(logprobs: true, topLogprobs: -1), "top_logprobs", "-1" },
        { () => new SamplingParameters(logprobs: false, topLogprobs: 3), "top_logprobs", "3" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Constructor_OutOfRange_ThrowsNamingFieldAndValue(Func<SamplingParameters> build, string field, string value)
    {
        var error = Assert.Throws<InvalidSamplingParameterException>(build);
        Assert.Equal(field, error.ParamName);
        Assert.StartsWith($"{field} is {value}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Boundaries_AreAccepted()
    {
        _ = new SamplingParameters(temperature: 0, topP: 1, topK: -1, minP: 1, repetitionPenalty: 1e-3,
            presencePenalty: -2, frequencyPenalty: 2, maxNewTokens: 1, logprobs: true, topLogprobs: 20);
        _ = new SamplingParameters(temperature: 5, topP: 1e-9, topK: 1, minP: 0, presencePenalty: 2, frequencyPenalty: -2);
    }

    [Fact]
    public void Defaults_TurnEveryProcessorOff()
    {
        var p = new SamplingParameters();
        Assert.False(p.IsGreedy || p.UsesTopK || p.UsesTopP || p.UsesMinP || p.UsesRepetitionPenalty || p.UsesOutputPenalties);
        Assert.Null(p.Seed);
        Assert.Null(p.MaxNewTokens);
        Assert.Empty(p.StopTokenIds);
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(9e-6, true)]
    [InlineData(1e-5, false)]
    [InlineData(0.7, false)]
    public void IsGreedy_BelowEpsilon_IsTrue(double temperature, bool greedy)
    {
        Assert.Equal(greedy, new SamplingParameters(temperature: temperature).IsGreedy);
    }

    [Fact]
    public void Equals_SameStopTokenIdsInNewList_AreEqual()
    {
        var a = new SamplingParameters(topP: 0.9, stopTokenIds: [1, 2]);
        var b = new SamplingParameters(topP: 0.9, stopTokenIds: new List<int> { 1, 2 });
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new SamplingParameters(topP: 0.9, stopTokenIds: [2, 1]));
    }

    [Fact]
    public void Constructor_StopTokenIds_AreCopied()
    {
        var ids = new List<int> { 7 };
        var p = new SamplingParameters(stopTokenIds: ids);
        ids.Add(8);
        Assert.Equal([7], p.StopTokenIds);
    }
}
