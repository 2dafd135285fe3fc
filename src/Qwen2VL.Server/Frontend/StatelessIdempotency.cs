using System.Runtime.CompilerServices;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Idempotency;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// Runs a stateless request at most once per tenant and idempotency key: the first call claims the key and stores
/// its result; a retry with the same request replays that result without generating; a retry while the first is
/// still running is told to wait (409), and the key sent with a different request is refused (400). A call that fails
/// gives its claim up, so its retry generates.
/// </summary>
public sealed class StatelessIdempotency
{
    private readonly IGrainFactory _grains;

    public StatelessIdempotency(IGrainFactory grains)
    {
        _grains = grains;
    }

    public async IAsyncEnumerable<TurnEvent> RunOnceAsync(
        StatelessChatRequest request, string key, Func<IAsyncEnumerable<TurnEvent>> generate, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(generate);
        var record = _grains.GetIdempotentRequest(request.TenantId, key);
        string fingerprint = RequestFingerprint.Of(request);
        var claim = await record.ClaimAsync(fingerprint).ConfigureAwait(false);
        switch (claim.Outcome)
        {
            case ClaimOutcome.Completed when claim.Result is { } stored:
                yield return new TextDelta(stored.Text, []);
                yield return stored with { Replayed = true };
                yield break;
            case ClaimOutcome.InProgress:
                throw new ChatBackendException(ChatFailure.AlreadyExists,
                    $"a request with idempotency key '{key}' is still running; retry when it has finished to get its result",
                    "idempotency_key_in_use", "Idempotency-Key")
                {
                    RetryAfter = TimeSpan.FromSeconds(1),
                };
            case ClaimOutcome.KeyReused:
                throw new ChatBackendException(ChatFailure.InvalidRequest,
                    $"idempotency key '{key}' was already used for a different request; use a new key for a new request",
                    "idempotency_key_reused", "Idempotency-Key");
        }

        bool completed = false;
        try
        {
            await foreach (var item in generate().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (item is TurnCompleted done)
                {
                    // Stored before the client sees the end, as sessions do: a client that saw it can always replay it.
                    await record.CompleteAsync(fingerprint, done).ConfigureAwait(false);
                    completed = true;
                }

                yield return item;
            }
        }
        finally
        {
            if (!completed)
            {
                await AbandonQuietlyAsync(record, fingerprint).ConfigureAwait(false);
            }
        }
    }

    private static async Task AbandonQuietlyAsync(IIdempotentRequestGrain record, string fingerprint)
    {
        try
        {
            await record.AbandonAsync(fingerprint).WaitAsync(GrainTenantLimiter.CallTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The claim then lapses after its timeout; the request's own failure is what the client must see.
        }
    }
}
