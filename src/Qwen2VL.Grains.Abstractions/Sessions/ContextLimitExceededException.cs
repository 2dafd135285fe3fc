namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>The session's history already fills the context the tenant may use; start a new session.</summary>
[GenerateSerializer]
public sealed class ContextLimitExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContextLimitExceededException(string sessionKey, long historyTokens, int maxContextTokens)
        : base($"session '{sessionKey}' holds {historyTokens} tokens, at or above the limit of {maxContextTokens}")
    {
        SessionKey = sessionKey;
        HistoryTokens = historyTokens;
        MaxContextTokens = maxContextTokens;
    }

    /// <summary>The session.</summary>
    [Id(0)] public string SessionKey { get; private set; }

    /// <summary>Tokens of the stored history.</summary>
    [Id(1)] public long HistoryTokens { get; private set; }

    /// <summary>The limit.</summary>
    [Id(2)] public int MaxContextTokens { get; private set; }
}
