using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Backend;

/// <summary>What a new session is created with.</summary>
/// <param name="SessionId">A client-chosen id, or null to have one generated.</param>
/// <param name="Model">The model every turn of the session uses.</param>
/// <param name="SystemPrompt">Put before the history of every turn; null for none.</param>
/// <param name="DefaultSampling">Sampling settings of turns that do not set their own.</param>
public sealed record NewSession(string? SessionId, string Model, string? SystemPrompt, ChatSampling DefaultSampling);

/// <summary>A session as the directory holds it.</summary>
/// <param name="History">The turns so far (user messages, tool results and answers); empty in listings.</param>
/// <param name="HistoryTokens">Tokens the conversation occupied after its last turn (prompt and answer).</param>
public sealed record SessionInfo(
    string SessionId,
    string Model,
    string? SystemPrompt,
    ChatSampling DefaultSampling,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int TurnCount,
    long HistoryTokens,
    IReadOnlyList<ChatMessage> History);

/// <summary>One page of a listing.</summary>
/// <param name="NextPageToken">Where the next page starts; null on the last page.</param>
public sealed record SessionPage(IReadOnlyList<SessionInfo> Sessions, string? NextPageToken);

/// <summary>A completed turn to record.</summary>
/// <param name="Messages">The turn's new messages followed by the assistant's answer.</param>
/// <param name="HistoryTokens">Tokens the whole conversation occupies after this turn.</param>
public sealed record SessionTurn(IReadOnlyList<ChatMessage> Messages, long HistoryTokens);
