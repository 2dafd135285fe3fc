namespace Qwen2VL.Gateway.Limits;

/// <summary>Admits everything: the gateway's default when the host registers no <see cref="ITenantLimiter"/>.</summary>
public sealed class UnlimitedTenantLimiter : ITenantLimiter
{
    /// <summary>The one instance.</summary>
    public static UnlimitedTenantLimiter Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask<TenantPermit> AdmitAsync(string tenantId, RequestCost cost, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TenantPermit.Unlimited);
}
