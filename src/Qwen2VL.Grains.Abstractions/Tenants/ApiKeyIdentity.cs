namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>Who presented a valid API key.</summary>
/// <param name="TenantId">The key's tenant.</param>
/// <param name="KeyId">The key's id within the tenant.</param>
[GenerateSerializer, Immutable]
public sealed record ApiKeyIdentity([property: Id(0)] string TenantId, [property: Id(1)] string KeyId);
