using Qwen2VL.Grains.Abstractions.Generation;

namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>The next piece of the answer.</summary>
/// <param name="Text">The text these tokens add (may be empty while a multi-byte character is incomplete).</param>
/// <param name="TokenIds">The generated token ids.</param>
/// <param name="Logprobs">
/// One entry per token id when the turn asked for logprobs; null otherwise, and in a replayed (idempotent) result,
/// which stores only the text and token ids.
/// </param>
[GenerateSerializer, Immutable]
public sealed record TextDelta(
    [property: Id(0)] string Text,
    [property: Id(1)] IReadOnlyList<int> TokenIds,
    [property: Id(2)] IReadOnlyList<GeneratedLogprob>? Logprobs = null) : TurnEvent;
