namespace Qwen2VL.Model.Sampling;

/// <summary>One row of a sampling batch: the sequence's parameters and its token history.</summary>
/// <param name="Parameters">How this sequence samples.</param>
/// <param name="History">Its tokens so far; the caller appends each chosen token after the step.</param>
public sealed record SamplingSequence(SamplingParameters Parameters, TokenHistory History)
{
    /// <summary>A fresh sequence for a prompt.</summary>
    public static SamplingSequence Start(SamplingParameters parameters, IEnumerable<int> promptTokenIds) =>
        new(parameters, new TokenHistory(promptTokenIds));
}
