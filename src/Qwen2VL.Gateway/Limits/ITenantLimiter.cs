using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Gateway.Limits;

/// <summary>
/// Admits requests against their tenant's limits (requests and tokens per minute, concurrent streams, images per
/// request, context length). The gateway asks once per API request, before any generation, and releases the permit
/// with the request's usage when it ends.
/// </summary>
public interface ITenantLimiter
{
    /// <summary>A permit to run the request; dispose or release it when the request ends.</summary>
    /// <exception cref="ChatBackendException">
    /// <see cref="ChatFailure.RateLimited"/> (with <see cref="ChatBackendException.RetryAfter"/>) when a rate or the
    /// stream limit is reached; <see cref="ChatFailure.InvalidRequest"/> when the request itself exceeds a
    /// per-request limit, so that retrying cannot help.
    /// </exception>
    ValueTask<TenantPermit> AdmitAsync(string tenantId, RequestCost cost, CancellationToken cancellationToken);
}
