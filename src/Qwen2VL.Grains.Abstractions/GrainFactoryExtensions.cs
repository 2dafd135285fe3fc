using Qwen2VL.Grains.Abstractions.Idempotency;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Tenants;
using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Abstractions;

/// <summary>Typed ways to reach the control plane's grains, so callers never build keys by hand.</summary>
public static class GrainFactoryExtensions
{
    /// <summary>The session <paramref name="sessionId"/> of <paramref name="tenantId"/>.</summary>
    /// <exception cref="ArgumentException">An id is not valid (see <see cref="SessionKey"/>).</exception>
    public static ISessionGrain GetSession(this IGrainFactory grains, string tenantId, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var key = new SessionKey(tenantId, sessionId);
        key.Validate();
        return grains.GetGrain<ISessionGrain>(key.ToString());
    }

    /// <summary>The one worker directory.</summary>
    public static IWorkerDirectoryGrain GetWorkerDirectory(this IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IWorkerDirectoryGrain>(IWorkerDirectoryGrain.SingletonKey);
    }

    /// <summary>The tenant <paramref name="tenantId"/>.</summary>
    public static ITenantGrain GetTenant(this IGrainFactory grains, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ITenantGrain>(tenantId);
    }

    /// <summary>The record of the stateless request <paramref name="tenantId"/> sent with idempotency key <paramref name="clientKey"/>.</summary>
    /// <exception cref="ArgumentException">The tenant id or key is not usable (see <see cref="IdempotencyKeys.For"/>).</exception>
    public static IIdempotentRequestGrain GetIdempotentRequest(this IGrainFactory grains, string tenantId, string clientKey)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IIdempotentRequestGrain>(IdempotencyKeys.For(tenantId, clientKey));
    }
}
