namespace Qwen2VL.Engine;

/// <summary>Counters of one engine, for metrics, health and routing decisions.</summary>
public sealed record EngineSnapshot(
    int Running,
    int Waiting,
    int KvCapacityTokens,
    int KvReservedTokens,
    int IdleCaches,
    long Preemptions,
    long VisionCacheHits,
    long VisionCacheMisses)
{
    /// <summary>Fraction of the KV budget in use, 0..1.</summary>
    public double KvUsage => KvCapacityTokens == 0 ? 0 : (double)KvReservedTokens / KvCapacityTokens;
}
