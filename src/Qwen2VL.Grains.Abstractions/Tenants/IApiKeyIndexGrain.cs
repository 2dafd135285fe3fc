namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>
/// Maps one API key to its tenant, so a gateway can find the tenant from a presented key alone. Keyed by the key's
/// hash (<see cref="ApiKeyHash.Compute"/>): the secret is never a grain key, and a hash found here is still checked
/// by the tenant, which owns revocation.
/// </summary>
public interface IApiKeyIndexGrain : IGrainWithStringKey
{
    /// <summary>Points this key hash at a tenant's key.</summary>
    /// <exception cref="InvalidOperationException">The hash is already bound to another key.</exception>
    Task BindAsync(ApiKeyIdentity identity);

    /// <summary>Removes the binding.</summary>
    Task UnbindAsync();

    /// <summary>The bound key, or null.</summary>
    Task<ApiKeyIdentity?> ResolveAsync();
}
