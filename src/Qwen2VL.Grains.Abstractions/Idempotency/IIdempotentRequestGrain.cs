using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Abstractions.Idempotency;

/// <summary>
/// Remembers the result of one stateless request sent with an idempotency key, so that a retry returns the first
/// answer instead of generating again. Keyed by <see cref="IdempotencyKeys.For"/> (tenant and client key), so one
/// tenant's keys never meet another's. Sessions keep their own record of completed turns and do not use this grain.
/// </summary>
public interface IIdempotentRequestGrain : IGrainWithStringKey
{
    /// <summary>
    /// Claims the key for a request whose content hashes to <paramref name="fingerprint"/>: the caller may run it
    /// (<see cref="ClaimOutcome.Claimed"/>), or gets the stored result, or learns that the key is busy or was used for
    /// another request.
    /// </summary>
    Task<IdempotencyClaim> ClaimAsync(string fingerprint);

    /// <summary>Stores the result of the claimed request; later claims with the same fingerprint replay it.</summary>
    /// <exception cref="InvalidOperationException">The key is not claimed for this fingerprint.</exception>
    Task CompleteAsync(string fingerprint, TurnCompleted result);

    /// <summary>Gives the claim up (the request failed or was cancelled), so a retry runs it again.</summary>
    Task AbandonAsync(string fingerprint);
}
