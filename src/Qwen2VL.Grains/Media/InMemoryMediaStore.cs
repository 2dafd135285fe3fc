using System.Collections.Concurrent;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Media;

namespace Qwen2VL.Grains.Media;

/// <summary>Media kept in this process, for single-process deployments and tests; lost on restart.</summary>
public sealed class InMemoryMediaStore : IMediaStore
{
    private readonly ConcurrentDictionary<(string Tenant, string Hash), StoredMedia> _media = new();

    /// <summary>How many distinct (tenant, hash) entries are stored.</summary>
    public int Count => _media.Count;

    /// <inheritdoc/>
    public Task<MediaReference> PutAsync(string tenantId, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken cancellationToken = default)
    {
        MediaKey.ValidatePut(tenantId, bytes, mediaType);
        string hash = MediaHash.Compute(bytes.Span);
        // Same hash, same bytes: the first copy stays and later ones are dropped.
        var stored = _media.GetOrAdd((tenantId, hash), _ => new StoredMedia(new MediaReference(hash, mediaType), bytes.ToArray()));
        return Task.FromResult(stored.Reference);
    }

    /// <inheritdoc/>
    public Task<StoredMedia?> GetAsync(string tenantId, string contentHash, CancellationToken cancellationToken = default)
    {
        MediaKey.ValidateTenant(tenantId);
        return Task.FromResult(_media.GetValueOrDefault((tenantId, contentHash)));
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string tenantId, string contentHash, CancellationToken cancellationToken = default)
    {
        MediaKey.ValidateTenant(tenantId);
        return Task.FromResult(_media.ContainsKey((tenantId, contentHash)));
    }
}
