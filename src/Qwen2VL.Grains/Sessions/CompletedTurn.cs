using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Sessions;

/// <summary>A stored turn's result, kept so a repeated request id gets the same answer without generating again.</summary>
/// <param name="RequestId">The turn's request id.</param>
/// <param name="FinishReason">Why the answer ended.</param>
/// <param name="Usage">What the turn used.</param>
/// <param name="Text">The answer.</param>
/// <param name="TokenIds">The answer's token ids, replayed with the text.</param>
/// <param name="CompletedAt">When it was stored.</param>
[GenerateSerializer, Immutable]
public sealed record CompletedTurn(
    [property: Id(0)] string RequestId,
    [property: Id(1)] FinishReason FinishReason,
    [property: Id(2)] TurnUsage Usage,
    [property: Id(3)] string Text,
    IReadOnlyList<int> TokenIds,
    [property: Id(5)] DateTimeOffset CompletedAt)
{
    /// <summary>The answer's token ids (copied to an array, so stored JSON never names a compiler-made list type).</summary>
    [Id(4)] public IReadOnlyList<int> TokenIds { get; init; } = TokenIds?.ToArray() ?? throw new ArgumentNullException(nameof(TokenIds));
}
