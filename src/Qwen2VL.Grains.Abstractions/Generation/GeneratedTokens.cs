namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>Newly generated tokens and the text they complete.</summary>
/// <param name="Text">Decoded text (empty while a multi-byte character is incomplete).</param>
/// <param name="TokenIds">The token ids, in order.</param>
/// <param name="Logprobs">One entry per token id, in order, when the request asked for logprobs; otherwise null.</param>
public sealed record GeneratedTokens(string Text, IReadOnlyList<int> TokenIds, IReadOnlyList<GeneratedLogprob>? Logprobs = null) : GenerationEvent;
