using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Engine.Pipeline;

/// <summary>
/// The KV caches one stage holds for the sequences of one upstream stream, keyed by the driver's cache key: created
/// on first sight, rolled back to each segment's cached tokens by the forward, dropped on release or when the stream
/// ends. Every cache's capacity is reserved in the stage's budget; a step that does not fit is refused before any
/// cache changes. Not thread-safe: callers hold the stage's gate.
/// </summary>
public sealed class StageCacheMap : IDisposable
{
    private readonly HostedStage _host;
    private readonly Dictionary<string, KvCache> _caches = new(StringComparer.Ordinal);

    /// <summary>Creates an empty map drawing on <paramref name="host"/>'s budget.</summary>
    public StageCacheMap(HostedStage host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
    }

    /// <summary>Caches held.</summary>
    public int Count => _caches.Count;

    /// <summary>Whether a cache is held under <paramref name="key"/>.</summary>
    public bool Contains(string key) => _caches.ContainsKey(key);

    /// <summary>Drops the caches under <paramref name="keys"/> and returns their budget; unknown keys are ignored.</summary>
    public void Release(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (string key in keys)
        {
            if (_caches.Remove(key, out var cache))
            {
                Drop(cache);
            }
        }
    }

    /// <summary>
    /// Finds or creates each segment's cache with room for its tokens and returns the stage's segments. Throws
    /// <see cref="PipelineStageException"/> (invalid step, lost state or capacity) without changing any cache.
    /// </summary>
    public IReadOnlyList<SequenceSegment> Prepare(IReadOnlyList<PipelineSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var targets = new int[segments.Count];
        long extra = Plan(segments, targets, roundNew: true);
        if (extra > _host.Budget.Free)
        {
            // Rounding new caches up is only to spare reallocations; never refuse a step that fits without it.
            extra = Plan(segments, targets, roundNew: false);
        }

        if (!_host.Budget.TryReserve(checked((int)extra)))
        {
            throw Error(PipelineErrorCode.CapacityExceeded,
                $"the step needs {extra} more KV tokens for {segments.Count} sequences; {_host.Budget.Free} of {_host.Budget.Capacity} are free");
        }

        var result = new SequenceSegment[segments.Count];
        for (int i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (!_caches.TryGetValue(segment.CacheKey, out var cache))
            {
                cache = _host.Stage.CreateKvCache(targets[i], _host.MaxContextTokens);
                _caches.Add(segment.CacheKey, cache);
                _host.CachedSequences++;
            }
            else
            {
                cache.EnsureCapacity(targets[i]);
            }

            result[i] = new SequenceSegment(cache, segment.CachedTokens, segment.NewTokens);
        }

        return result;
    }

    /// <summary>Drops every cache of the stream.</summary>
    public void Dispose()
    {
        foreach (var cache in _caches.Values)
        {
            Drop(cache);
        }

        _caches.Clear();
    }

    /// <summary>Checks every segment and computes each cache's capacity after the step; returns the tokens to reserve.</summary>
    private long Plan(IReadOnlyList<PipelineSegment> segments, int[] targets, bool roundNew)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long extra = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.NewTokens <= 0 || segment.CachedTokens < 0)
            {
                throw Error(PipelineErrorCode.InvalidStep, $"segment {i} ({segment.CacheKey}) has {segment.CachedTokens} cached and {segment.NewTokens} new tokens; need >= 0 and >= 1");
            }

            if (!seen.Add(segment.CacheKey))
            {
                throw Error(PipelineErrorCode.InvalidStep, $"segment {i} repeats cache key {segment.CacheKey}");
            }

            long needed = (long)segment.CachedTokens + segment.NewTokens;
            if (needed > _host.MaxContextTokens)
            {
                throw Error(PipelineErrorCode.CapacityExceeded, $"sequence {segment.CacheKey} needs {needed} tokens; this stage holds at most {_host.MaxContextTokens} per sequence");
            }

            if (_caches.TryGetValue(segment.CacheKey, out var cache))
            {
                if (segment.CachedTokens > cache.Length)
                {
                    throw Error(PipelineErrorCode.StateLost, $"sequence {segment.CacheKey} claims {segment.CachedTokens} cached tokens; this stage holds {cache.Length}");
                }

                // The KV cache grows by doubling up to its maximum (see KvCache.EnsureCapacity); reserve what it will allocate.
                targets[i] = needed <= cache.Capacity ? cache.Capacity : (int)Math.Min(_host.MaxContextTokens, Math.Max(needed, 2L * cache.Capacity));
                extra += targets[i] - cache.Capacity;
            }
            else
            {
                if (segment.CachedTokens > 0)
                {
                    throw Error(PipelineErrorCode.StateLost, $"sequence {segment.CacheKey} claims {segment.CachedTokens} cached tokens; this stage holds no cache for it");
                }

                long rounded = roundNew ? (needed + _host.GrowthTokens - 1) / _host.GrowthTokens * _host.GrowthTokens : needed;
                targets[i] = (int)Math.Min(_host.MaxContextTokens, rounded);
                extra += targets[i];
            }
        }

        return extra;
    }

    private void Drop(KvCache cache)
    {
        _host.Budget.Release(cache.Capacity);
        _host.CachedSequences--;
        cache.Dispose();
    }

    private PipelineStageException Error(PipelineErrorCode code, string detail) => new(code, _host.Description, detail);
}
