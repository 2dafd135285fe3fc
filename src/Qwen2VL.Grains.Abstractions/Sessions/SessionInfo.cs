using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>A session as a client sees it.</summary>
/// <param name="Key">Tenant and session id.</param>
/// <param name="ModelId">The model that answers.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="UpdatedAt">When the last turn was stored.</param>
/// <param name="SystemPrompt">Instructions sent before the history; null when none.</param>
/// <param name="DefaultSampling">Sampling every turn starts from.</param>
/// <param name="History">The completed turns' messages, oldest first, system prompt not included.</param>
/// <param name="TurnCount">How many turns completed.</param>
/// <param name="HistoryTokens">Tokens of system prompt and history as the model counted them after the last turn.</param>
/// <param name="Lease">Where the session's KV cache lives; null when no pipeline holds it.</param>
[GenerateSerializer, Immutable]
public sealed record SessionInfo(
    [property: Id(0)] SessionKey Key,
    [property: Id(1)] string ModelId,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset UpdatedAt,
    [property: Id(4)] string? SystemPrompt,
    [property: Id(5)] SamplingSettings DefaultSampling,
    [property: Id(6)] IReadOnlyList<ChatMessage> History,
    [property: Id(7)] int TurnCount,
    [property: Id(8)] long HistoryTokens,
    [property: Id(9)] KvLease? Lease);
