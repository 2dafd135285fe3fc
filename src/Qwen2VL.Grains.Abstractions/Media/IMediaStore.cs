using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Grains.Abstractions.Media;

/// <summary>
/// Content-addressed media bytes, per tenant: the key is the tenant plus the SHA-256 of the bytes, so the same
/// picture is stored once however often it is sent, and tenants never read each other's media.
/// </summary>
public interface IMediaStore
{
    /// <summary>Stores the bytes (a no-op when the tenant already has them) and returns their reference.</summary>
    Task<MediaReference> PutAsync(string tenantId, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken cancellationToken = default);

    /// <summary>The bytes stored under <paramref name="contentHash"/> for the tenant, or null.</summary>
    Task<StoredMedia?> GetAsync(string tenantId, string contentHash, CancellationToken cancellationToken = default);

    /// <summary>Whether the tenant has media with this hash.</summary>
    Task<bool> ExistsAsync(string tenantId, string contentHash, CancellationToken cancellationToken = default);
}
