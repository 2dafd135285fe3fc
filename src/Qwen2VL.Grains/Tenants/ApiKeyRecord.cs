namespace Qwen2VL.Grains.Tenants;

/// <summary>A stored API key: its hash only, never the secret.</summary>
/// <param name="KeyId">Names the key within its tenant.</param>
/// <param name="Name">A label given at creation.</param>
/// <param name="Sha256Hex">Lower-case hex SHA-256 of the secret.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked; null while valid.</param>
[GenerateSerializer, Immutable]
public sealed record ApiKeyRecord(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Sha256Hex,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? RevokedAt);
