namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>A session with this key was already created and not deleted.</summary>
[GenerateSerializer]
public sealed class SessionAlreadyExistsException : Exception
{
    /// <summary>Creates the exception for the session <paramref name="sessionKey"/>.</summary>
    public SessionAlreadyExistsException(string sessionKey)
        : base($"session '{sessionKey}' already exists") => SessionKey = sessionKey;

    /// <summary>The <c>tenant/session</c> key asked for.</summary>
    [Id(0)] public string SessionKey { get; private set; }
}
