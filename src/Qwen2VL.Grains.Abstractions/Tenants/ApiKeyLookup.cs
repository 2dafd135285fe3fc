namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>Authenticates a presented API key without knowing its tenant first.</summary>
public static class ApiKeyLookup
{
    /// <summary>
    /// The tenant and key that <paramref name="secret"/> belongs to, or null when it is unknown or revoked: the index
    /// finds the tenant by the key's hash, and the tenant confirms the key in constant time.
    /// </summary>
    public static async Task<ApiKeyIdentity?> AuthenticateAsync(this IGrainFactory grains, string secret)
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (string.IsNullOrEmpty(secret) || !secret.StartsWith(ApiKeyHash.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var identity = await grains.GetGrain<IApiKeyIndexGrain>(ApiKeyHash.Compute(secret)).ResolveAsync();
        if (identity is null)
        {
            return null;
        }

        var key = await grains.GetGrain<ITenantGrain>(identity.TenantId).AuthenticateAsync(secret);
        return key is not null && key.KeyId == identity.KeyId ? identity : null;
    }
}
