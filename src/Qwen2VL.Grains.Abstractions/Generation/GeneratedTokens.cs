namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>Newly generated tokens and the text they complete.</summary>
/// <param name="Text">Decoded text (empty while a multi-byte character is incomplete).</param>
/// <param name="TokenIds">The token ids, in order.</param>
public sealed record GeneratedTokens(string Text, IReadOnlyList<int> TokenIds) : GenerationEvent;
