using Qwen2VL.Model.Cache;

namespace Qwen2VL.Engine;

/// <summary>
/// The driver's KV cache of one sequence, and the key under which the later stages of a pipeline hold their share
/// of it. The key is unique per cache (a session key is not: two live sequences may share one).
/// </summary>
internal sealed class SequenceCache : IDisposable
{
    public SequenceCache(KvCache local, string key)
    {
        Local = local;
        Key = key;
    }

    /// <summary>The driver stage's layers.</summary>
    public KvCache Local { get; }

    /// <summary>The cache key later stages know.</summary>
    public string Key { get; }

    public int Capacity => Local.Capacity;

    public void Dispose() => Local.Dispose();
}
