namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>
/// One tenant (key: tenant id): its API keys, limits and usage. The gateway authenticates with
/// <see cref="ApiKeyLookup"/>, asks <see cref="AdmitAsync"/> before a request and calls <see cref="ReleaseAsync"/>
/// with the usage when it ends.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates a key; the secret in the result is not stored and cannot be shown again.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(string name);

    /// <summary>Revokes a key at once; false when there is no such valid key.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId);

    /// <summary>The tenant's keys, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync();

    /// <summary>
    /// The key matching <paramref name="secret"/> if it belongs to this tenant and is not revoked, else null.
    /// Hashes are compared in constant time.
    /// </summary>
    Task<ApiKeyInfo?> AuthenticateAsync(string secret);

    /// <summary>The tenant's limits (defaults until set).</summary>
    Task<TenantLimits> GetLimitsAsync();

    /// <summary>Replaces the tenant's limits.</summary>
    /// <exception cref="ArgumentException">A limit is not positive.</exception>
    Task SetLimitsAsync(TenantLimits limits);

    /// <summary>Checks the limits and, when admitted, counts the request and takes a stream slot.</summary>
    Task<AdmissionDecision> AdmitAsync(AdmissionRequest request);

    /// <summary>
    /// Frees the stream slot and records what the request used (null when it used nothing, for example a replayed
    /// turn); the admission estimate is replaced by the real count. Releasing an unknown stream only records usage.
    /// </summary>
    Task ReleaseAsync(string streamId, Sessions.TurnUsage? usage);

    /// <summary>Totals and the current minute.</summary>
    Task<TenantUsage> GetUsageAsync();
}
