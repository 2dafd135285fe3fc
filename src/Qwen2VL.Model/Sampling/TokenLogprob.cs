namespace Qwen2VL.Model.Sampling;

/// <summary>A token and its log-probability under the model's unprocessed distribution.</summary>
/// <param name="TokenId">The token.</param>
/// <param name="Logprob">Natural-log probability from the log-softmax of the raw logits.</param>
public readonly record struct TokenLogprob(int TokenId, float Logprob);
