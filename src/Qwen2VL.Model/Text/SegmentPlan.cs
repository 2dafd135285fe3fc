using Qwen2VL.Model.Cache;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>
/// Where one sequence's new tokens sit in the flat batch and how they attend: rows [Offset, Offset + NewTokens) write
/// their keys at cache positions [CachedTokens, CachedTokens + NewTokens) and see every cached key plus the new keys up
/// to their own (causal). Built once per forward and shared by all layers.
/// </summary>
internal sealed class SegmentPlan : IDisposable
{
    public SegmentPlan(KvCache cache, int offset, int cachedTokens, int newTokens, int queryGroups, Device device)
    {
        Cache = cache;
        Offset = offset;
        CachedTokens = cachedTokens;
        NewTokens = newTokens;
        if (newTokens > 1)
        {
            // Query heads are folded as (group, token) rows against their shared kv head, so the causal mask
            // [tokens, keys] repeats once per group. True = may attend.
            int keys = cachedTokens + newTokens;
            using var keyIndex = arange(keys, dtype: ScalarType.Int64, device: device).unsqueeze(0);
            using var lastVisible = arange(cachedTokens, keys, dtype: ScalarType.Int64, device: device).unsqueeze(1);
            using var causal = keyIndex.le(lastVisible);
            Mask = causal.repeat(queryGroups, 1).DetachFromDisposeScope();
        }
    }

    public KvCache Cache { get; }

    public int Offset { get; }

    public int CachedTokens { get; }

    public int NewTokens { get; }

    public int TotalTokens => CachedTokens + NewTokens;

    /// <summary>Boolean mask [groups · new tokens, total tokens], or null for a single new token (it sees everything).</summary>
    public Tensor? Mask { get; }

    public void Dispose() => Mask?.Dispose();
}
