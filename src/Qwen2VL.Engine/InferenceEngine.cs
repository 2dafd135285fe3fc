using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Model.Sampling;
using Qwen2VL.Model.Stages;
using Qwen2VL.Engine.Telemetry;
using static TorchSharp.torch;

namespace Qwen2VL.Engine;

/// <summary>
/// One worker's continuous-batching scheduler: the driver of a pipeline whose first stage is in this process (the whole
/// model, or its first layers followed by an <see cref="IPipelineTail"/>). A single scheduler thread owns all model and
/// cache state; callers submit requests from any thread and read their token streams. Every step batches the next
/// token of each decoding sequence with prefill chunks of new ones (<see cref="StepPlanner"/>). KV memory is bounded by
/// a token budget: requests wait when it is full, idle caches (of sessions and of stateless conversations) are evicted
/// least-recently-used first, and as a last resort the newest running sequence is preempted and later recomputed.
/// </summary>
public sealed partial class InferenceEngine : IAsyncDisposable
{
    private readonly Qwen2VLStage _model;
    private readonly IPipelineTail? _tail;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Sampler _sampler = new();
    private readonly HashSet<int> _eosTokenIds;
    private readonly KvTokenBudget _budget;
    private readonly IdleCacheStore<SequenceCache> _idle = new();
    private readonly VisionEmbeddingCache _visionCache;
    private readonly ConcurrentQueue<EngineSequence> _incoming = new();
    private readonly ConcurrentQueue<string> _releases = new();
    private readonly List<string> _tailReleases = new();
    private readonly LinkedList<EngineSequence> _waiting = new();
    private readonly List<EngineSequence> _running = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly int _contextLength;
    private readonly int _mergeSize;
    private readonly EngineMetrics? _metrics;
    private readonly IDisposable? _gauges;
    private int _waitingCount;
    private long _preemptions;
    private long _cacheSerial;

    /// <param name="model">A stage holding the whole model (layers [0, L), vision tower and head).</param>
    /// <param name="eosTokenIds">End-of-sequence ids from the checkpoint's generation config.</param>
    /// <param name="metrics">Where to record scheduler metrics; null records none.</param>
    public InferenceEngine(Qwen2VLStage model, IEnumerable<int> eosTokenIds, EngineOptions options, ILogger<InferenceEngine> logger, TimeProvider? time = null, EngineMetrics? metrics = null)
        : this(model, tail: null, eosTokenIds, options, logger, time, metrics)
    {
    }

    /// <param name="firstStage">The first stage of the pipeline (layers [0, b), vision tower and embedding).</param>
    /// <param name="tail">
    /// The stages after <paramref name="firstStage"/>; null when it holds the whole model. The caller owns it and
    /// disposes it after the engine.
    /// </param>
    /// <param name="eosTokenIds">End-of-sequence ids from the checkpoint's generation config.</param>
    /// <param name="metrics">Where to record scheduler metrics; null records none.</param>
    public InferenceEngine(Qwen2VLStage firstStage, IPipelineTail? tail, IEnumerable<int> eosTokenIds, EngineOptions options, ILogger<InferenceEngine> logger, TimeProvider? time = null, EngineMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(firstStage);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!firstStage.IsFirst)
        {
            throw new ArgumentException($"the engine drives from the first stage; this stage holds layers {firstStage.Layers}");
        }

        if (firstStage.IsLast != (tail is null))
        {
            throw new ArgumentException(firstStage.IsLast
                ? $"stage {firstStage.Layers} holds the whole model; it takes no pipeline tail"
                : $"stage {firstStage.Layers} ends before layer {firstStage.Config.NumHiddenLayers}; the engine needs a pipeline tail for the rest");
        }

        _tail = tail;
        _model = firstStage;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _eosTokenIds = eosTokenIds.ToHashSet();
        _budget = new KvTokenBudget(options.KvCacheTokens);
        _visionCache = new VisionEmbeddingCache(options.VisionCacheBytes);
        _contextLength = options.MaxContextTokens > 0 ? Math.Min(options.MaxContextTokens, firstStage.Config.MaxPositionEmbeddings) : firstStage.Config.MaxPositionEmbeddings;
        _mergeSize = firstStage.Config.VisionSettings.SpatialMergeSize;
        _metrics = metrics;
        _gauges = metrics?.Track(Snapshot);
        _thread = new Thread(Loop) { Name = "qwen2vl-engine", IsBackground = true };
        _thread.Start();
    }

    /// <summary>The longest sequence (prompt plus output) this engine runs.</summary>
    public int ContextLength => _contextLength;

    /// <summary>A consistent-enough view of the scheduler for metrics and routing.</summary>
    public EngineSnapshot Snapshot() => new(
        Running: Volatile.Read(ref _runningCount),
        Waiting: Volatile.Read(ref _waitingCount),
        KvCapacityTokens: _budget.Capacity,
        KvReservedTokens: Volatile.Read(ref _reservedTokens),
        IdleCaches: Volatile.Read(ref _idleCount),
        Preemptions: Interlocked.Read(ref _preemptions),
        VisionCacheHits: _visionCache.Hits,
        VisionCacheMisses: _visionCache.Misses);

    /// <summary>
    /// Submits a request and streams its events: <see cref="PromptProcessed"/>, then <see cref="TokenGenerated"/>s, then
    /// one <see cref="GenerationFinished"/>. Cancelling <paramref name="cancellationToken"/> frees the sequence's slot
    /// and cache within one step. Throws <see cref="EngineRejectedException"/> for a request that cannot run.
    /// </summary>
    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The span lives in this iterator, on the caller's side: the scheduler thread never touches it.
        using var activity = EngineActivity.StartGenerate(request);
        var sequence = Submit(request, activity, cancellationToken);
        try
        {
            while (await NextAsync(sequence.Output.Reader, activity).ConfigureAwait(false) is { } item)
            {
                EngineActivity.Observe(activity, item);
                yield return item;
            }
        }
        finally
        {
            // A consumer that stops reading early (break, exception) must not leave the sequence running.
            if (!sequence.Output.Reader.Completion.IsCompleted)
            {
                sequence.CancelRequested = true;
                _wake.Release();
            }

            await sequence.CancelRegistration.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Drops the kept cache of <paramref name="sequenceKey"/>, if any (asynchronously, on the scheduler thread).</summary>
    public void ReleaseCache(string sequenceKey)
    {
        _releases.Enqueue(sequenceKey);
        _wake.Release();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _gauges?.Dispose();

        await _stop.CancelAsync().ConfigureAwait(false);
        _wake.Release();
        await Task.Run(() => _thread.Join()).ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }

    private EngineSequence Submit(GenerationRequest request, Activity? activity, CancellationToken cancellationToken)
    {
        EngineSequence sequence;
        try
        {
            sequence = Validate(request);
            if (Volatile.Read(ref _waitingCount) >= _options.MaxWaitingRequests)
            {
                throw new EngineRejectedException("overloaded", $"{_options.MaxWaitingRequests} requests are already waiting on this worker; retry later", retriable: true);
            }
        }
        catch (Exception e)
        {
            EngineActivity.Fail(activity, e);
            throw;
        }

        sequence.CancelRegistration = cancellationToken.Register(static state =>
        {
            var (engine, seq) = ((InferenceEngine, EngineSequence))state!;
            seq.CancelRequested = true;
            engine._wake.Release();
        }, (this, sequence));
        Interlocked.Increment(ref _waitingCount);
        _incoming.Enqueue(sequence);
        _wake.Release();
        return sequence;
    }

    /// <summary>The next event, or null at the end; a failed sequence's error is recorded on the span and rethrown.</summary>
    private static async ValueTask<GenerationEvent?> NextAsync(ChannelReader<GenerationEvent> reader, Activity? activity)
    {
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                if (reader.TryRead(out var item))
                {
                    return item;
                }
            }

            return null;
        }
        catch (Exception e)
        {
            EngineActivity.Fail(activity, e);
            throw;
        }
    }

    private EngineSequence Validate(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        int length = request.PromptTokens.Length;
        if (length == 0)
        {
            throw new EngineRejectedException("empty_prompt", "the prompt has no tokens", retriable: false);
        }

        if (request.PromptPositions.Length != 3 * length)
        {
            throw new ArgumentException($"PromptPositions must hold 3 × {length} values, got {request.PromptPositions.Length}");
        }

        if (length >= _contextLength)
        {
            throw new EngineRejectedException("context_length_exceeded",
                $"the prompt has {length} tokens; this model's context length is {_contextLength}, which must also leave room for at least one generated token", retriable: false);
        }

        if (length + 1 > _budget.Capacity)
        {
            throw new EngineRejectedException("kv_budget_exceeded",
                $"the prompt has {length} tokens but this worker's KV cache holds at most {_budget.Capacity} tokens", retriable: false);
        }

        string tenantScope = request.TenantId + "/";
        if (request.ReuseKeys.FirstOrDefault(k => !k.StartsWith(tenantScope, StringComparison.Ordinal)) is { } foreign)
        {
            throw new EngineRejectedException("invalid_cache_key", $"reuse key '{foreign}' is not scoped to tenant '{request.TenantId}'", retriable: false);
        }

        var spans = MediaSpans(request);
        int room = Math.Min(_contextLength, _budget.Capacity) - length;
        int maxNew = Math.Min(request.Sampling.MaxNewTokens ?? room, room);
        return new EngineSequence(request, spans, maxNew, _time.GetUtcNow());
    }

    /// <summary>Pairs each media item with its run of pad tokens; the counts must agree.</summary>
    private IReadOnlyList<MediaSpan> MediaSpans(GenerationRequest request)
    {
        var spans = new List<MediaSpan>(request.Media.Count);
        int[] tokens = request.PromptTokens;
        int image = (int)_model.Config.ImageTokenId;
        int video = (int)_model.Config.VideoTokenId;
        int index = 0;
        foreach (var media in request.Media)
        {
            int pad = media.IsVideo ? video : image;
            while (index < tokens.Length && tokens[index] != pad)
            {
                index++;
            }

            int start = index;
            while (index < tokens.Length && tokens[index] == pad)
            {
                index++;
            }

            int expected = media.Tokens(_mergeSize);
            if (index - start != expected)
            {
                throw new EngineRejectedException("media_token_mismatch",
                    $"{(media.IsVideo ? "video" : "image")} {spans.Count} has {expected} features but the prompt has {index - start} pad tokens for it", retriable: false);
            }

            spans.Add(new MediaSpan(start, expected, media.ContentHash));
        }

        int padTokens = tokens.Count(t => t == image || t == video);
        if (padTokens != spans.Sum(s => s.Length))
        {
            throw new EngineRejectedException("media_token_mismatch",
                $"the prompt has {padTokens} image/video pad tokens but its {request.Media.Count} media items account for {spans.Sum(s => s.Length)}", retriable: false);
        }

        return spans;
    }
}
