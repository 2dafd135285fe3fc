namespace Qwen2VL.Grains.Abstractions.Idempotency;

/// <summary>Builds the key of an <see cref="IIdempotentRequestGrain"/>.</summary>
public static class IdempotencyKeys
{
    /// <summary>
    /// <c>tenant/key</c>: tenant ids never contain '/', so two tenants choosing the same client key get two grains.
    /// </summary>
    /// <exception cref="ArgumentException">The tenant id is empty or contains '/', or the key is empty.</exception>
    public static string For(string tenantId, string clientKey)
    {
        if (string.IsNullOrEmpty(tenantId) || tenantId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"tenant id '{tenantId}' must be non-empty and contain no '/'", nameof(tenantId));
        }

        ArgumentException.ThrowIfNullOrEmpty(clientKey);
        return $"{tenantId}/{clientKey}";
    }
}
