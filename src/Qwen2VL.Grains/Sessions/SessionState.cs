using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Sessions;

/// <summary>
/// A session's persisted state. <see cref="History"/> and <see cref="CompletedTurns"/> only ever grow by whole
/// turns (new messages plus answer), written together. Stored as JSON under this type's name: keep the name.
/// </summary>
[GenerateSerializer]
public sealed class SessionState
{
    /// <summary>False until created, and again after deletion.</summary>
    [Id(0)] public bool Exists { get; set; }

    /// <summary>The model that answers.</summary>
    [Id(1)] public string ModelId { get; set; } = string.Empty;

    /// <summary>When the session was created.</summary>
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the last turn was stored.</summary>
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Instructions sent before the history; null when none.</summary>
    [Id(4)] public string? SystemPrompt { get; set; }

    /// <summary>Sampling every turn starts from.</summary>
    [Id(5)] public SamplingSettings DefaultSampling { get; set; } = SamplingSettings.None;

    /// <summary>The completed turns' messages, oldest first.</summary>
    [Id(6)] public List<ChatMessage> History { get; set; } = [];

    /// <summary>One entry per completed turn, for idempotent retries.</summary>
    [Id(7)] public List<CompletedTurn> CompletedTurns { get; set; } = [];

    /// <summary>Where the KV cache lives; null when nowhere known.</summary>
    [Id(8)] public KvLease? Lease { get; set; }

    /// <summary>The highest lease epoch handed out, so epochs never repeat even after a lease is dropped.</summary>
    [Id(9)] public long LastLeaseEpoch { get; set; }

    /// <summary>Tokens of system prompt and history, as the model counted them after the last turn.</summary>
    [Id(10)] public long HistoryTokens { get; set; }
}
