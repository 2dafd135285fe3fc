namespace Qwen2VL.Model.Sampling;

/// <summary>What the sampler chose for one row.</summary>
/// <param name="TokenId">The chosen token.</param>
/// <param name="Logprob">
/// Its log-probability under the raw logits (before penalties, temperature and filters, as OpenAI and vLLM report),
/// or null when the sequence did not ask for logprobs.
/// </param>
/// <param name="Rank">Its 1-based rank under the raw logits (1 = most likely), or null without logprobs.</param>
/// <param name="TopLogprobs">The most likely tokens under the raw logits, best first; empty unless asked for.</param>
public sealed record SampledToken(int TokenId, float? Logprob, int? Rank, IReadOnlyList<TokenLogprob> TopLogprobs);
