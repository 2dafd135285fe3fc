namespace Qwen2VL.Model.Cache;

/// <summary>Thrown when a sequence needs more KV cache positions than the cache may hold.</summary>
public sealed class KvCacheFullException : InvalidOperationException
{
    /// <summary>Creates the exception for a request of <paramref name="requested"/> tokens against <paramref name="maxCapacity"/>.</summary>
    public KvCacheFullException(int requested, int maxCapacity)
        : base($"KV cache full: {requested} tokens needed, at most {maxCapacity} allowed")
    {
        Requested = requested;
        MaxCapacity = maxCapacity;
    }

    /// <summary>Tokens the sequence would hold.</summary>
    public int Requested { get; }

    /// <summary>The cache's limit.</summary>
    public int MaxCapacity { get; }
}
