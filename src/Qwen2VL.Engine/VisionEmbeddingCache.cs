using static TorchSharp.torch;

namespace Qwen2VL.Engine;

/// <summary>
/// Vision tower outputs kept by tenant and content hash, so an image sent again (a new turn, a retried request, the
/// same picture in many chats of one tenant) is encoded once. Least recently used entries go when the byte budget is
/// exceeded. Keys include the tenant: one tenant can never observe another's cached images. Scheduler thread only.
/// </summary>
public sealed class VisionEmbeddingCache : IDisposable
{
    private readonly Dictionary<string, LinkedListNode<(string Key, Tensor Embeds)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, Tensor Embeds)> _recency = new();
    private readonly long _capacityBytes;

    public VisionEmbeddingCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        _capacityBytes = capacityBytes;
    }

    public long Bytes { get; private set; }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    /// <summary>Returns the cached embeddings (owned by the cache; do not dispose), or null.</summary>
    public Tensor? TryGet(string tenantId, string contentHash)
    {
        if (_byKey.TryGetValue(Key(tenantId, contentHash), out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            Hits++;
            return node.Value.Embeds;
        }

        Misses++;
        return null;
    }

    /// <summary>The cached embeddings without counting a lookup (owned by the cache; do not dispose), or null.</summary>
    public Tensor? Peek(string tenantId, string contentHash) =>
        _byKey.TryGetValue(Key(tenantId, contentHash), out var node) ? node.Value.Embeds : null;

    /// <summary>Stores a copy of <paramref name="embeds"/> when it fits the budget.</summary>
    public void Put(string tenantId, string contentHash, Tensor embeds)
    {
        long bytes = embeds.NumberOfElements * embeds.ElementSize;
        string key = Key(tenantId, contentHash);
        if (bytes > _capacityBytes || _byKey.ContainsKey(key))
        {
            return;
        }

        while (Bytes + bytes > _capacityBytes && _recency.Last is { } last)
        {
            Remove(last);
        }

        var copy = embeds.detach().clone();
        copy.DetachFromDisposeScope();
        _byKey[key] = _recency.AddFirst((key, copy));
        Bytes += bytes;
    }

    public void Dispose()
    {
        while (_recency.Last is { } last)
        {
            Remove(last);
        }
    }

    private void Remove(LinkedListNode<(string Key, Tensor Embeds)> node)
    {
        _recency.Remove(node);
        _byKey.Remove(node.Value.Key);
        Bytes -= node.Value.Embeds.NumberOfElements * node.Value.Embeds.ElementSize;
        node.Value.Embeds.Dispose();
    }

    private static string Key(string tenantId, string contentHash) => tenantId + "\n" + contentHash;
}
