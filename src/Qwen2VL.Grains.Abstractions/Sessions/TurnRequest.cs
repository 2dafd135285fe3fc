using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>One turn: the new messages to add (a user message, or tool results) and how to sample the answer.</summary>
/// <param name="RequestId">
/// Makes retries safe: a turn whose request id already completed returns the stored answer instead of generating
/// again. Clients should send a fresh id per logical turn; an empty id disables this.
/// </param>
/// <param name="Messages">The new messages, roles <see cref="ChatRole.User"/> or <see cref="ChatRole.Tool"/>.</param>
/// <param name="Sampling">Overrides of the session's default sampling for this turn only.</param>
/// <param name="MaxContextTokens">
/// The tenant's context limit, when the caller enforces one: a turn is refused when the stored history already
/// holds this many tokens, and the workers refuse a prompt that exceeds it.
/// </param>
[GenerateSerializer, Immutable]
public sealed record TurnRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] IReadOnlyList<ChatMessage> Messages,
    [property: Id(2)] SamplingSettings? Sampling = null,
    [property: Id(3)] int? MaxContextTokens = null);
