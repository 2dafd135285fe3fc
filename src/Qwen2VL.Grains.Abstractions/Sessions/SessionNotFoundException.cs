namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>The session was never created, or was deleted.</summary>
[GenerateSerializer]
public sealed class SessionNotFoundException : Exception
{
    /// <summary>Creates the exception for the session <paramref name="sessionKey"/>.</summary>
    public SessionNotFoundException(string sessionKey)
        : base($"session '{sessionKey}' does not exist") => SessionKey = sessionKey;

    /// <summary>The <c>tenant/session</c> key asked for.</summary>
    [Id(0)] public string SessionKey { get; private set; }
}
