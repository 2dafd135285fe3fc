namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>The next piece of the answer.</summary>
/// <param name="Text">The text these tokens add (may be empty while a multi-byte character is incomplete).</param>
/// <param name="TokenIds">The generated token ids.</param>
[GenerateSerializer, Immutable]
public sealed record TextDelta(
    [property: Id(0)] string Text,
    [property: Id(1)] IReadOnlyList<int> TokenIds) : TurnEvent;
