namespace Qwen2VL.Engine;

/// <summary>A KV cache kept after a turn, with the tokens and media it covers.</summary>
/// <typeparam name="TCache">The model's cache type.</typeparam>
public sealed record IdleCache<TCache>(TCache Cache, int[] Tokens, IReadOnlyList<MediaSpan> Media, int ReservedTokens);

/// <summary>
/// Caches of finished turns, keyed by sequence key (tenant and session, or a tenant-scoped prefix hash), evicted least
/// recently used when the KV budget needs room. Not thread-safe: only the scheduler loop touches it.
/// </summary>
public sealed class IdleCacheStore<TCache>
{
    private readonly Dictionary<string, LinkedListNode<(string Key, IdleCache<TCache> Entry)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, IdleCache<TCache> Entry)> _recency = new();

    public int Count => _byKey.Count;

    /// <summary>Sum of the KV tokens reserved by idle caches.</summary>
    public int ReservedTokens { get; private set; }

    /// <summary>Stores a cache; returns the entry it replaced, which the caller must release.</summary>
    public IdleCache<TCache>? Put(string key, IdleCache<TCache> entry)
    {
        var replaced = Take(key);
        _byKey[key] = _recency.AddFirst((key, entry));
        ReservedTokens += entry.ReservedTokens;
        return replaced;
    }

    /// <summary>Removes and returns the cache stored under <paramref name="key"/>, if any.</summary>
    public IdleCache<TCache>? Take(string key)
    {
        if (!_byKey.Remove(key, out var node))
        {
            return null;
        }

        _recency.Remove(node);
        ReservedTokens -= node.Value.Entry.ReservedTokens;
        return node.Value.Entry;
    }

    public bool Contains(string key) => _byKey.ContainsKey(key);

    /// <summary>Removes and returns the least recently stored cache, or null when empty.</summary>
    public (string Key, IdleCache<TCache> Entry)? EvictLeastRecent()
    {
        var last = _recency.Last;
        if (last is null)
        {
            return null;
        }

        Take(last.Value.Key);
        return last.Value;
    }
}
