namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// A turn was started while another turn of the same session was still streaming. Turns of one session are
/// refused rather than queued: the second turn's prompt depends on the first one's answer, which the client has
/// not seen yet. Retry after the running turn ends (with the same request id, which is safe).
/// </summary>
[GenerateSerializer]
public sealed class SessionBusyException : Exception
{
    /// <summary>Creates the exception for the session <paramref name="sessionKey"/>.</summary>
    public SessionBusyException(string sessionKey, string runningRequestId, string refusedRequestId)
        : base($"session '{sessionKey}' is running turn '{runningRequestId}'; turn '{refusedRequestId}' was refused, retry when it ends")
    {
        SessionKey = sessionKey;
        RunningRequestId = runningRequestId;
        RefusedRequestId = refusedRequestId;
    }

    /// <summary>The <c>tenant/session</c> key.</summary>
    [Id(0)] public string SessionKey { get; private set; }

    /// <summary>The request id of the turn still running.</summary>
    [Id(1)] public string RunningRequestId { get; private set; }

    /// <summary>The request id of the refused turn.</summary>
    [Id(2)] public string RefusedRequestId { get; private set; }
}
