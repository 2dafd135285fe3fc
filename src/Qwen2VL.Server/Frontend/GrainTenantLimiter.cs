using Microsoft.Extensions.Logging;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Limits;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// The gateway's tenant limits over the tenant grains: one <see cref="ITenantGrain.AdmitAsync"/> per API request;
/// refusals become 429 (rates, streams) or 400 (images per request), each with the numbers that refused it.
/// </summary>
public sealed class GrainTenantLimiter : ITenantLimiter
{
    /// <summary>Bounds each grain call, so a stuck control plane fails the request instead of hanging it.</summary>
    internal static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly IGrainFactory _grains;
    private readonly StateStoreGate _gate;
    private readonly ControlPlaneRetry _retry;
    private readonly ILogger<GrainTenantLimiter> _logger;

    public GrainTenantLimiter(IGrainFactory grains, StateStoreGate gate, ControlPlaneRetry retry, ILogger<GrainTenantLimiter> logger)
    {
        _grains = grains;
        _gate = gate;
        _retry = retry;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async ValueTask<TenantPermit> AdmitAsync(string tenantId, RequestCost cost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cost);
        _gate.EnsureAvailable();
        var tenant = _grains.GetTenant(tenantId);
        string streamId = Guid.NewGuid().ToString("n");
        AdmissionDecision decision;
        try
        {
            // A repeat carries the same stream id; the tenant whose silo died took its open streams along.
            decision = await _retry.RunAsync("admitting a request", ct =>
                tenant.AdmitAsync(new AdmissionRequest(streamId, cost.MediaCount, cost.EstimatedTokens)).WaitAsync(CallTimeout, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ControlPlaneFailures.Translate(e) is { } translated)
        {
            throw translated;
        }

        return decision.Outcome switch
        {
            AdmissionOutcome.Admitted => new GrainTenantPermit(tenant, streamId, decision.Limits?.MaxContextTokens, _logger),
            AdmissionOutcome.TooManyImages => throw new ChatBackendException(ChatFailure.InvalidRequest, decision.Message, "too_many_images", "messages"),
            AdmissionOutcome.TooManyStreams => throw RateLimited(decision, "too_many_concurrent_streams"),
            AdmissionOutcome.RequestRateExceeded => throw RateLimited(decision, "requests_per_minute_exceeded"),
            AdmissionOutcome.TokenRateExceeded => throw RateLimited(decision, "tokens_per_minute_exceeded"),
            _ => throw new ChatBackendException(ChatFailure.Internal, $"unknown admission outcome {(int)decision.Outcome}"),
        };
    }

    private static ChatBackendException RateLimited(AdmissionDecision decision, string code) =>
        new(ChatFailure.RateLimited, decision.Message, code)
        {
            // At least a second: a zero hint would invite an immediate retry that is refused again.
            RetryAfter = decision.RetryAfter is { } retry && retry > TimeSpan.FromSeconds(1) ? retry : TimeSpan.FromSeconds(1),
        };
}
