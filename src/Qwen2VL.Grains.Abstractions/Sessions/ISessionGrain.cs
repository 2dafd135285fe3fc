namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// A server-side conversation, keyed <c>tenant/session</c> (see <see cref="SessionKey"/>). It owns the history,
/// the idempotency record of completed turns and the KV lease, and drives generation on the worker pipelines.
/// </summary>
/// <remarks>
/// History rule: a turn is stored whole or not at all. The new messages and the answer are appended together, and
/// only once the answer is complete; the <see cref="TurnCompleted"/> event is sent after that write. A turn that
/// fails, is cancelled or runs out of pipelines leaves the history as it was, so a client never sees a turn the
/// server does not have, and may retry it with the same request id.
/// </remarks>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Creates the session.</summary>
    /// <exception cref="SessionAlreadyExistsException">The session exists.</exception>
    Task<SessionInfo> CreateAsync(CreateSessionRequest request);

    /// <summary>The session with its history.</summary>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    Task<SessionInfo> GetAsync();

    /// <summary>Deletes the history and releases the KV cache; returns false when there was no session.</summary>
    Task<bool> DeleteAsync();

    /// <summary>
    /// Runs one turn and streams the answer. One turn at a time per session: a turn started while another is
    /// streaming fails with <see cref="SessionBusyException"/> (except a repeat of a completed request id, which
    /// replays the stored answer at once).
    /// </summary>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    /// <exception cref="SessionBusyException">Another turn is running.</exception>
    /// <exception cref="GenerationUnavailableException">No pipeline could finish the turn; retriable.</exception>
    /// <exception cref="ContextLimitExceededException">The history is already at the context limit.</exception>
    /// <exception cref="Media.MediaNotFoundException">A message refers to media not in the tenant's store.</exception>
    IAsyncEnumerable<TurnEvent> ChatAsync(TurnRequest request, CancellationToken cancellationToken = default);
}
