using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Media;
using StackExchange.Redis;

namespace Qwen2VL.Grains.Media;

/// <summary>
/// Media in Redis, one hash per item under <c>{prefix}media:{tenant}:{sha256}</c> with fields <c>type</c> and
/// <c>data</c>. Writes are set-if-absent, so storing the same bytes again keeps the first copy.
/// </summary>
public sealed class RedisMediaStore : IMediaStore
{
    private static readonly RedisValue TypeField = "type";
    private static readonly RedisValue DataField = "data";

    private readonly IConnectionMultiplexer _redis;
    private readonly string _keyPrefix;

    /// <summary>Creates the store on <paramref name="redis"/>; <paramref name="keyPrefix"/> separates deployments sharing a server.</summary>
    public RedisMediaStore(IConnectionMultiplexer redis, string keyPrefix = "qwen2vl:")
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
        _keyPrefix = keyPrefix ?? string.Empty;
    }

    /// <inheritdoc/>
    public async Task<MediaReference> PutAsync(string tenantId, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken cancellationToken = default)
    {
        MediaKey.ValidatePut(tenantId, bytes, mediaType);
        string hash = MediaHash.Compute(bytes.Span);
        var db = _redis.GetDatabase();
        var key = KeyFor(tenantId, hash);
        // Both fields are set only when absent, type first: a reader that finds the data always finds a type,
        // and the type stays whatever the first writer gave.
        await db.HashSetAsync(key, TypeField, mediaType, When.NotExists);
        await db.HashSetAsync(key, DataField, bytes, When.NotExists);
        string? storedType = await db.HashGetAsync(key, TypeField);
        return new MediaReference(hash, storedType ?? mediaType);
    }

    /// <inheritdoc/>
    public async Task<StoredMedia?> GetAsync(string tenantId, string contentHash, CancellationToken cancellationToken = default)
    {
        MediaKey.ValidateTenant(tenantId);
        if (!MediaKey.IsLookupable(contentHash))
        {
            return null;
        }

        var fields = await _redis.GetDatabase().HashGetAsync(KeyFor(tenantId, contentHash), [TypeField, DataField]);
        if (fields[1].IsNull)
        {
            return null;
        }

        return new StoredMedia(new MediaReference(contentHash, fields[0].IsNull ? "application/octet-stream" : (string)fields[0]!), (byte[])fields[1]!);
    }

    /// <inheritdoc/>
    public async Task<bool> ExistsAsync(string tenantId, string contentHash, CancellationToken cancellationToken = default)
    {
        MediaKey.ValidateTenant(tenantId);
        return MediaKey.IsLookupable(contentHash)
            && await _redis.GetDatabase().HashExistsAsync(KeyFor(tenantId, contentHash), DataField);
    }

    private RedisKey KeyFor(string tenantId, string hash) => $"{_keyPrefix}media:{tenantId}:{hash}";
}
