namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>A new API key. The secret is returned this once; the cluster keeps only its SHA-256.</summary>
/// <param name="Info">The key's description.</param>
/// <param name="Secret">The key to present, <c>q2vl-</c> followed by 43 base64url characters.</param>
[GenerateSerializer, Immutable]
public sealed record CreatedApiKey([property: Id(0)] ApiKeyInfo Info, [property: Id(1)] string Secret);
