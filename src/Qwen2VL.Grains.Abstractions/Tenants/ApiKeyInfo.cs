namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>An API key as it may be shown: never its secret or hash.</summary>
/// <param name="KeyId">Names the key within its tenant.</param>
/// <param name="Name">A label given at creation.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; null while valid.</param>
[GenerateSerializer, Immutable]
public sealed record ApiKeyInfo(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset? RevokedAt);
