namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// The end of a turn. When a client receives it, the turn (new messages and answer) is already stored in the session.
/// </summary>
/// <param name="RequestId">The turn's request id.</param>
/// <param name="FinishReason">Why the answer ended.</param>
/// <param name="Usage">The turn's token counts.</param>
/// <param name="Text">The whole answer as stored.</param>
/// <param name="Replayed">True when the request id had already completed and this is the stored result.</param>
[GenerateSerializer, Immutable]
public sealed record TurnCompleted(
    [property: Id(0)] string RequestId,
    [property: Id(1)] FinishReason FinishReason,
    [property: Id(2)] TurnUsage Usage,
    [property: Id(3)] string Text,
    [property: Id(4)] bool Replayed) : TurnEvent;
