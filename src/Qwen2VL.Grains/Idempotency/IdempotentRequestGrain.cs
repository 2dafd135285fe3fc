using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Qwen2VL.Grains.Abstractions.Idempotency;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Hosting;

namespace Qwen2VL.Grains.Idempotency;

/// <summary>See <see cref="IIdempotentRequestGrain"/>. The result is persisted; the running claim is not.</summary>
public sealed class IdempotentRequestGrain : Grain, IIdempotentRequestGrain
{
    private readonly IPersistentState<IdempotentRequestState> _state;
    private readonly TimeProvider _clock;
    private readonly IdempotencyOptions _options;

    // Not persisted: a claim dies with the activation, like the request it stands for.
    private string? _claimedFingerprint;
    private DateTimeOffset _claimedAt;

    /// <summary>Creates the grain; Orleans supplies the arguments.</summary>
    public IdempotentRequestGrain(
        [PersistentState("idempotency", GrainStorage.Name)] IPersistentState<IdempotentRequestState> state,
        [FromKeyedServices(ControlPlaneClock.ServiceKey)] TimeProvider clock,
        IOptions<IdempotencyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = state;
        _clock = clock;
        _options = options.Value;
    }

    /// <inheritdoc/>
    public async Task<IdempotencyClaim> ClaimAsync(string fingerprint)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        var now = _clock.GetUtcNow();
        if (_state.State.Result is not null && now - _state.State.CompletedAt >= _options.Retention)
        {
            // Expired results are dropped on first sight rather than by a timer: an unused key costs nothing.
            await _state.ClearStateAsync();
        }

        if (_state.State.Result is { } result)
        {
            return _state.State.Fingerprint == fingerprint
                ? new IdempotencyClaim(ClaimOutcome.Completed, result)
                : new IdempotencyClaim(ClaimOutcome.KeyReused);
        }

        if (_claimedFingerprint is not null && now - _claimedAt < _options.ClaimTimeout)
        {
            return new IdempotencyClaim(_claimedFingerprint == fingerprint ? ClaimOutcome.InProgress : ClaimOutcome.KeyReused);
        }

        _claimedFingerprint = fingerprint;
        _claimedAt = now;
        return new IdempotencyClaim(ClaimOutcome.Claimed);
    }

    /// <inheritdoc/>
    public async Task CompleteAsync(string fingerprint, TurnCompleted result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (_claimedFingerprint != fingerprint)
        {
            throw new InvalidOperationException($"idempotency key '{this.GetPrimaryKeyString()}' is not claimed for this request");
        }

        _state.State.Fingerprint = fingerprint;
        _state.State.Result = result;
        _state.State.CompletedAt = _clock.GetUtcNow();
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            // Not stored means not completed: keep memory equal to storage so a retry runs the request again.
            _state.State.Result = null;
            _state.State.Fingerprint = null;
            _claimedFingerprint = null;
            throw;
        }

        _claimedFingerprint = null;
    }

    /// <inheritdoc/>
    public Task AbandonAsync(string fingerprint)
    {
        if (_claimedFingerprint == fingerprint)
        {
            _claimedFingerprint = null;
        }

        return Task.CompletedTask;
    }
}
