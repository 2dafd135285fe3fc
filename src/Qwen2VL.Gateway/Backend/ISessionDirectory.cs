namespace Qwen2VL.Gateway.Backend;

/// <summary>
/// The server-side sessions of each tenant: their settings and history. Every operation is scoped to a tenant, and
/// a session of another tenant behaves exactly like one that does not exist.
/// </summary>
public interface ISessionDirectory
{
    /// <summary>
    /// Creates a session. Throws a <see cref="ChatBackendException"/> with <see cref="ChatFailure.AlreadyExists"/>
    /// when the tenant already has a session with the requested id.
    /// </summary>
    Task<SessionInfo> CreateAsync(string tenantId, NewSession session, CancellationToken cancellationToken);

    /// <summary>The session with its full history, or null when the tenant has no such session.</summary>
    Task<SessionInfo?> GetAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the tenant's sessions, newest first, without history. <paramref name="pageToken"/> is the
    /// previous page's <see cref="SessionPage.NextPageToken"/>; a token this directory did not issue is refused
    /// with <see cref="ChatFailure.InvalidRequest"/>.
    /// </summary>
    Task<SessionPage> ListAsync(string tenantId, int pageSize, string? pageToken, CancellationToken cancellationToken);

    /// <summary>Deletes the session and its history; false when the tenant had no such session.</summary>
    Task<bool> DeleteAsync(string tenantId, string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a completed turn to the session's history; false when the session is gone (deleted meanwhile).
    /// Called by whatever runs the session's turns.
    /// </summary>
    Task<bool> AppendTurnAsync(string tenantId, string sessionId, SessionTurn turn, CancellationToken cancellationToken);
}
