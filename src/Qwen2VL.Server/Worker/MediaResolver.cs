using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// Finds the bytes of the media a conversation refers to: those the caller sent along with the request first (a
/// silo whose media store lives in its own memory sends them), else the tenant's media store (Redis in production,
/// shared by every process). Media found nowhere rejects the request with <c>media_not_found</c>.
/// </summary>
public sealed class MediaResolver
{
    private readonly IMediaStore _store;
    private readonly string _tenantId;
    private readonly IReadOnlyDictionary<string, ReadOnlyMemory<byte>> _inline;

    /// <param name="store">The tenant media store of this process.</param>
    /// <param name="tenantId">Whose media.</param>
    /// <param name="inline">Bytes sent with the request, by content hash; checked against their hash on use.</param>
    public MediaResolver(IMediaStore store, string tenantId, IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? inline = null)
    {
        _store = store;
        _tenantId = tenantId;
        _inline = inline ?? new Dictionary<string, ReadOnlyMemory<byte>>();
    }

    /// <summary>The encoded bytes of <paramref name="reference"/>.</summary>
    /// <exception cref="GenerationRejectedException">The media is nowhere to be found, or sent bytes do not match their hash.</exception>
    public async Task<ReadOnlyMemory<byte>> GetAsync(MediaReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (_inline.TryGetValue(reference.ContentHash, out var bytes))
        {
            // The hash is the cache key of vision embeddings: bytes under the wrong hash would poison that cache.
            string actual = MediaHash.Compute(bytes.Span);
            return actual == reference.ContentHash
                ? bytes
                : throw new GenerationRejectedException("media_hash_mismatch",
                    $"the {bytes.Length} bytes sent for media {reference.ContentHash} hash to {actual}");
        }

        var stored = await _store.GetAsync(_tenantId, reference.ContentHash, cancellationToken).ConfigureAwait(false)
            ?? throw new GenerationRejectedException("media_not_found", $"media {reference.ContentHash} is not in this tenant's media store");
        return stored.Bytes;
    }
}
