using Microsoft.Extensions.Logging;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Model.Stages;
using static TorchSharp.torch;

namespace Qwen2VL.Engine;

public sealed partial class InferenceEngine
{
    private int _runningCount;
    private int _reservedTokens;
    private int _idleCount;

    private void Loop()
    {
        using var inference = inference_mode();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                DrainIncoming();
                DrainReleases();
                SweepCancelled();
                MakeRoomForDecoding();
                Admit();
                PublishCounters();
                if (_running.Count == 0)
                {
                    FlushTailReleases();
                    _wake.Wait(_stop.Token);
                    continue;
                }

                Step();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (PipelineStageException e)
            {
                // Every running sequence has state on the later stages, so a failed step fails them all. When the
                // stages lost their caches, kept session caches are useless too: their next turn must start clean.
                LogStageFailed(_logger, e.Code, e.Message);
                foreach (var sequence in _running.ToList())
                {
                    Fail(sequence, e);
                }

                if (e.StateLost)
                {
                    DropIdleCaches();
                }
            }
            catch (Exception e)
            {
                // A failed step (a bug, or memory) must not kill the worker: fail the sequences of that step and go on.
                LogStepFailed(_logger, e);
                foreach (var sequence in _running.ToList())
                {
                    Fail(sequence, e);
                }
            }
        }

        var shutdown = new EngineRejectedException("shutting_down", "the worker is shutting down", retriable: true);
        foreach (var sequence in _running.Concat(_waiting).Concat(_incoming).ToList())
        {
            Fail(sequence, shutdown);
        }

        DropIdleCaches();
        _visionCache.Dispose();
    }

    private void DrainIncoming()
    {
        while (_incoming.TryDequeue(out var sequence))
        {
            _waiting.AddLast(sequence);
        }
    }

    private void DrainReleases()
    {
        while (_releases.TryDequeue(out var key))
        {
            if (_idle.Take(key) is { } entry)
            {
                ReleaseIdle(entry);
            }
        }
    }

    private void SweepCancelled()
    {
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.CancelRequested)
            {
                _waiting.Remove(node);
                Interlocked.Decrement(ref _waitingCount);
                Finish(node.Value, SequenceFinishReason.Cancelled, keepCache: false);
            }

            node = next;
        }

        foreach (var sequence in _running.Where(s => s.CancelRequested).ToList())
        {
            _running.Remove(sequence);
            Finish(sequence, SequenceFinishReason.Cancelled, keepCache: false);
        }
    }

    /// <summary>Every decoding sequence needs room for its next token; grow, evict idle caches, or preempt.</summary>
    private void MakeRoomForDecoding()
    {
        for (int i = 0; i < _running.Count; i++)
        {
            var sequence = _running[i];
            int needed = sequence.Tokens.Count;
            while (sequence.Reserved < needed && _running.Contains(sequence))
            {
                if (TryGrow(sequence, needed))
                {
                    break;
                }

                var victim = _running[^1];
                Preempt(victim);
                if (victim == sequence)
                {
                    i--;
                }
            }
        }
    }

    private void Admit()
    {
        while (_waiting.First is { } node && _running.Count < _options.MaxRunningSequences)
        {
            var sequence = node.Value;
            if (sequence.Cache is null)
            {
                AttachKeptCache(sequence);
            }

            int needed = Math.Min(_contextLength, sequence.Tokens.Count + _options.KvGrowthTokens);
            if (!TryGrow(sequence, needed))
            {
                if (_running.Count == 0 && _idle.Count == 0)
                {
                    // Nothing else holds memory; if even this does not fit, it never will.
                    _waiting.Remove(node);
                    Interlocked.Decrement(ref _waitingCount);
                    Fail(sequence, new EngineRejectedException("kv_budget_exceeded",
                        $"the sequence needs {needed} KV tokens; this worker holds {_budget.Capacity}", retriable: false));
                    continue;
                }

                break;
            }

            _waiting.Remove(node);
            Interlocked.Decrement(ref _waitingCount);
            sequence.Admitted ??= _time.GetUtcNow();
            _running.Add(sequence);
        }
    }

    /// <summary>
    /// Takes the first kept cache found under the sequence's own key or one of its reuse keys, and keeps the part that
    /// matches this prompt. A cache that matches nothing is stale and released.
    /// </summary>
    private void AttachKeptCache(EngineSequence sequence)
    {
        foreach (string key in sequence.Request.ReuseKeys.Prepend(sequence.Request.SequenceKey))
        {
            if (_idle.Take(key) is not { } entry)
            {
                continue;
            }

            int match = PrefixMatcher.Match(entry.Tokens, entry.Media, sequence.Tokens.ToArray(), sequence.Spans);
            // At least one token must be computed to produce logits for the next token.
            match = Math.Min(match, sequence.Tokens.Count - 1);
            if (match <= 0)
            {
                ReleaseIdle(entry);
                continue;
            }

            entry.Cache.Local.Truncate(match);
            sequence.Cache = entry.Cache;
            sequence.Reserved = entry.ReservedTokens;
            sequence.Computed = match;
            sequence.CachedPromptTokens = Math.Min(match, sequence.PromptLength);
            return;
        }
    }

    /// <summary>Reserves budget and cache room for <paramref name="tokens"/> tokens, evicting idle caches if needed.</summary>
    private bool TryGrow(EngineSequence sequence, int tokens)
    {
        tokens = Math.Min(tokens, _contextLength);
        if (sequence.Reserved >= tokens)
        {
            return true;
        }

        // A KV cache grows by doubling (amortised copies); reserve exactly what it will allocate.
        int current = sequence.Cache?.Capacity ?? 0;
        int target = sequence.Cache is null ? tokens : Math.Min(_contextLength, Math.Max(tokens, 2 * current));
        int extra = target - sequence.Reserved;
        while (!_budget.TryReserve(extra))
        {
            if (_idle.EvictLeastRecent() is not { } evicted)
            {
                return false;
            }

            ReleaseIdle(evicted.Entry);
        }

        if (sequence.Cache is null)
        {
            string key = $"{sequence.Request.SequenceKey}#{++_cacheSerial}";
            sequence.Cache = new SequenceCache(_model.CreateKvCache(target, _contextLength), key);
        }
        else
        {
            sequence.Cache.Local.EnsureCapacity(target);
        }

        sequence.Reserved = target;
        return true;
    }

    private void Preempt(EngineSequence sequence)
    {
        _running.Remove(sequence);
        ReleaseCache(sequence);
        sequence.DropVisionFeatures();
        sequence.Computed = 0;
        _waiting.AddFirst(sequence);
        Interlocked.Increment(ref _waitingCount);
        Interlocked.Increment(ref _preemptions);
        _metrics?.RecordPreemption();
        LogPreempted(_logger, sequence.Request.SequenceKey, sequence.Tokens.Count);
    }

    private void Step()
    {
        var inputs = _running.Select(s => new PlannerInput(s.Computed, s.Tokens.Count)).ToList();
        var plan = StepPlanner.Plan(inputs, _options.MaxBatchTokens);
        if (plan.Count == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        int total = plan.Sum(p => p.Count);
        var ids = new long[total];
        var positions = new long[3 * total];
        var segments = new List<SequenceSegment>(plan.Count);
        var headers = new List<PipelineSegment>(plan.Count);
        var imageRows = new List<Tensor>();
        var videoRows = new List<Tensor>();
        var logitRows = new List<long>();
        var sampled = new List<EngineSequence>();
        int offset = 0;
        // One vision-tower call for every image or video this step needs that the cache lacks: attention stays
        // within each item (cu_seqlens), so batching them changes no result, only the number of calls.
        using var encoded = EncodePendingVision(plan);
        foreach (var part in plan)
        {
            var sequence = _running[part.Sequence];
            EnsureVisionFeatures(sequence, part, encoded);
            for (int i = 0; i < part.Count; i++)
            {
                ids[offset + i] = sequence.Tokens[part.Start + i];
            }

            long[] rows = sequence.Positions(part.Start, part.Count);
            for (int r = 0; r < 3; r++)
            {
                Array.Copy(rows, r * part.Count, positions, (r * total) + offset, part.Count);
            }

            AddVisionRows(sequence, part, imageRows, videoRows);
            segments.Add(new SequenceSegment(sequence.Cache!.Local, part.Start, part.Count));
            headers.Add(new PipelineSegment(sequence.Cache.Key, part.Start, part.Count));
            if (part.Sample)
            {
                logitRows.Add(offset + part.Count - 1);
                sampled.Add(sequence);
            }

            offset += part.Count;
        }

        var device = _model.Placement.Device;
        var positionIds = tensor(positions, new long[] { 3, total }, device: device);
        using var output = _model.Forward(new StageInput
        {
            Segments = segments,
            InputIds = tensor(ids, device: device),
            PositionIds = positionIds,
            ImageEmbeds = imageRows.Count == 0 ? null : cat(imageRows, 0),
            VideoEmbeds = videoRows.Count == 0 ? null : cat(videoRows, 0),
            LogitRows = logitRows,
        });
        using var tailLogits = _tail is null ? null : RunTail(headers, output.Hidden!, positionIds, logitRows);
        var logits = _tail is null ? output.Logits : tailLogits;

        foreach (var part in plan)
        {
            var sequence = _running[part.Sequence];
            sequence.Computed = part.Start + part.Count;
            if (sequence.Computed >= sequence.PromptLength)
            {
                // Features are only needed while prompt chunks remain.
                sequence.DropVisionFeatures();
            }
        }

        if (sampled.Count > 0)
        {
            var tokens = _sampler.Sample(logits!, sampled.Select(s => s.Sampling).ToList());
            for (int i = 0; i < sampled.Count; i++)
            {
                Accept(sampled[i], tokens[i]);
            }

            _metrics?.RecordGeneratedTokens(sampled.Count);
        }
    }

    private void Accept(EngineSequence sequence, Model.Sampling.SampledToken token)
    {
        var now = _time.GetUtcNow();
        if (!sequence.PromptReported)
        {
            sequence.PromptReported = true;
            var admitted = sequence.Admitted ?? now;
            sequence.Output.Writer.TryWrite(new PromptProcessed(sequence.PromptLength, sequence.CachedPromptTokens, admitted - sequence.Arrival, now - admitted));
            _metrics?.RecordFirstToken(sequence.PromptLength, sequence.CachedPromptTokens, now - sequence.Arrival, admitted - sequence.Arrival, now - admitted);
        }
        else if (sequence.LastTokenAt is { } previous)
        {
            _metrics?.RecordInterTokenLatency(now - previous);
        }

        sequence.LastTokenAt = now;

        sequence.Tokens.Add(token.TokenId);
        sequence.Sampling.History.Append(token.TokenId);
        sequence.Output.Writer.TryWrite(new TokenGenerated(sequence.Generated - 1, token.TokenId, token.Logprob, token.TopLogprobs));
        var parameters = sequence.Request.Sampling;
        bool stop = (!parameters.IgnoreEos && _eosTokenIds.Contains(token.TokenId)) || parameters.StopTokenIds.Contains(token.TokenId);
        bool length = sequence.Generated >= sequence.MaxNewTokens || sequence.Tokens.Count >= _contextLength;
        if (stop || length)
        {
            _running.Remove(sequence);
            Finish(sequence, stop ? SequenceFinishReason.Stop : SequenceFinishReason.Length, sequence.Request.KeepCache);
        }
    }

    /// <summary>Encodes the sequence's media before its first prompt chunk that reaches a pad token.</summary>
    private static bool NeedsVision(EngineSequence sequence, PlannedSegment part)
    {
        if (sequence.Spans.Count == 0 || sequence.ImageEmbeds is not null || sequence.VideoEmbeds is not null)
        {
            return false;
        }

        int end = part.Start + part.Count;
        return sequence.Spans.Any(s => s.End > part.Start && s.Start < end) || sequence.Spans.Any(s => s.Start >= end);
    }

    private EncodedVision EncodePendingVision(IReadOnlyList<PlannedSegment> plan)
    {
        var encoded = new EncodedVision();
        var missing = new List<(string Key, string Tenant, PreparedMedia Media)>();
        foreach (var part in plan)
        {
            var sequence = _running[part.Sequence];
            if (!NeedsVision(sequence, part))
            {
                continue;
            }

            foreach (var media in sequence.Request.Media)
            {
                string key = EncodedVision.Key(sequence.Request.TenantId, media.ContentHash);
                if (encoded.Contains(key) || missing.Any(m => m.Key == key))
                {
                    continue;
                }

                var cached = _visionCache.TryGet(sequence.Request.TenantId, media.ContentHash);
                _metrics?.RecordVisionCacheLookup(hit: cached is not null);
                if (cached is null)
                {
                    missing.Add((key, sequence.Request.TenantId, media));
                }
            }
        }

        if (missing.Count == 0)
        {
            return encoded;
        }

        var device = _model.Placement.Device;
        int columns = missing[0].Media.PixelValues.Length / missing[0].Media.Patches;
        var pixels = missing.Select(m => tensor(m.Media.PixelValues, new long[] { m.Media.Patches, columns }, device: device)).ToList();
        long[] grids = missing.SelectMany(m => new long[] { m.Media.GridT, m.Media.GridH, m.Media.GridW }).ToArray();
        using var allPixels = cat(pixels, 0);
        using var gridTensor = tensor(grids, new long[] { missing.Count, 3 }, device: device);
        using var features = _model.EncodeVision(allPixels, gridTensor);
        pixels.ForEach(p => p.Dispose());
        long row = 0;
        foreach (var (key, tenant, media) in missing)
        {
            int tokens = media.Tokens(_mergeSize);
            var slice = features.narrow(0, row, tokens).clone();
            slice.DetachFromDisposeScope();
            row += tokens;
            _visionCache.Put(tenant, media.ContentHash, slice);
            encoded.Add(key, slice);
        }

        return encoded;
    }

    /// <summary>Gathers the sequence's vision features (this step's fresh encodings, else the cache) before its first chunk that needs them.</summary>
    private void EnsureVisionFeatures(EngineSequence sequence, PlannedSegment part, EncodedVision encoded)
    {
        if (!NeedsVision(sequence, part))
        {
            return;
        }

        var image = new List<Tensor>();
        var video = new List<Tensor>();
        foreach (var media in sequence.Request.Media)
        {
            var embeds = encoded.Get(EncodedVision.Key(sequence.Request.TenantId, media.ContentHash))
                ?? _visionCache.Peek(sequence.Request.TenantId, media.ContentHash)
                ?? throw new InvalidOperationException($"vision features of {media.ContentHash} were neither encoded nor cached");
            (media.IsVideo ? video : image).Add(embeds);
        }

        sequence.ImageEmbeds = image.Count == 0 ? null : Detached(cat(image, 0));
        sequence.VideoEmbeds = video.Count == 0 ? null : Detached(cat(video, 0));
    }

    private static Tensor Detached(Tensor t)
    {
        t.DetachFromDisposeScope();
        return t;
    }

    /// <summary>Adds the feature rows of the pad tokens inside this chunk.</summary>
    private void AddVisionRows(EngineSequence sequence, PlannedSegment part, List<Tensor> imageRows, List<Tensor> videoRows)
    {
        if (sequence.Spans.Count == 0)
        {
            return;
        }

        int end = part.Start + part.Count;
        int imageBefore = 0, videoBefore = 0, imageIn = 0, videoIn = 0;
        for (int i = 0; i < sequence.Spans.Count; i++)
        {
            var span = sequence.Spans[i];
            bool isVideo = sequence.Request.Media[i].IsVideo;
            int before = Math.Clamp(part.Start - span.Start, 0, span.Length);
            int inside = Math.Clamp(Math.Min(end, span.End) - Math.Max(part.Start, span.Start), 0, span.Length);
            if (isVideo)
            {
                videoBefore += before;
                videoIn += inside;
            }
            else
            {
                imageBefore += before;
                imageIn += inside;
            }
        }

        if (imageIn > 0)
        {
            imageRows.Add(sequence.ImageEmbeds!.narrow(0, imageBefore, imageIn));
        }

        if (videoIn > 0)
        {
            videoRows.Add(sequence.VideoEmbeds!.narrow(0, videoBefore, videoIn));
        }
    }

    private void Finish(EngineSequence sequence, SequenceFinishReason reason, bool keepCache)
    {
        sequence.DropVisionFeatures();
        if (keepCache && sequence.Cache is not null && sequence.Computed > 0)
        {
            var entry = new IdleCache<SequenceCache>(sequence.Cache, sequence.Tokens.Take(sequence.Computed).ToArray(),
                sequence.Spans.Where(s => s.End <= sequence.Computed).ToList(), sequence.Reserved);
            if (_idle.Put(sequence.Request.SequenceKey, entry) is { } replaced)
            {
                ReleaseIdle(replaced);
            }

            sequence.Cache = null;
            sequence.Reserved = 0;
        }
        else
        {
            ReleaseCache(sequence);
        }

        sequence.Output.Writer.TryWrite(new GenerationFinished(reason, sequence.Generated));
        _metrics?.RecordFinished(reason, _time.GetUtcNow() - sequence.Arrival);
        sequence.Output.Writer.TryComplete();
    }

    private void Fail(EngineSequence sequence, Exception error)
    {
        _running.Remove(sequence);
        sequence.DropVisionFeatures();
        ReleaseCache(sequence);
        sequence.Output.Writer.TryComplete(error);
    }

    private void ReleaseCache(EngineSequence sequence)
    {
        if (sequence.Cache is { } cache)
        {
            DisposeCache(cache);
        }

        sequence.Cache = null;
        if (sequence.Reserved > 0)
        {
            _budget.Release(sequence.Reserved);
            sequence.Reserved = 0;
        }
    }

    private void ReleaseIdle(IdleCache<SequenceCache> entry)
    {
        DisposeCache(entry.Cache);
        _budget.Release(entry.ReservedTokens);
    }

    private void DropIdleCaches()
    {
        while (_idle.EvictLeastRecent() is { } evicted)
        {
            ReleaseIdle(evicted.Entry);
        }
    }

    /// <summary>Frees the driver's share of a cache now, and the later stages' share with the next message to them.</summary>
    private void DisposeCache(SequenceCache cache)
    {
        cache.Dispose();
        if (_tail is not null)
        {
            _tailReleases.Add(cache.Key);
        }
    }

    /// <summary>
    /// Runs the later stages on the step's hidden states and returns the logits of <paramref name="logitRows"/> on the
    /// driver's device. Pending cache releases ride along, so releasing costs no extra round trip while busy.
    /// </summary>
    private Tensor? RunTail(List<PipelineSegment> headers, Tensor hidden, Tensor positionIds, List<long> logitRows)
    {
        var step = new PipelineStep
        {
            Segments = headers,
            Hidden = hidden,
            PositionIds = positionIds,
            LogitRows = logitRows,
            ReleaseKeys = TakeTailReleases(),
        };
        var logits = _tail!.ForwardAsync(step, _stop.Token).GetAwaiter().GetResult();
        if (logits is null || logits.device == _model.Placement.Device)
        {
            return logits;
        }

        using (logits)
        {
            return logits.to(_model.Placement.Device).DetachFromDisposeScope();
        }
    }

    /// <summary>Sends pending releases while no step is running, so idle stages free their memory promptly.</summary>
    private void FlushTailReleases()
    {
        if (_tail is null || _tailReleases.Count == 0)
        {
            return;
        }

        var keys = TakeTailReleases();
        try
        {
            _tail.ReleaseAsync(keys, _stop.Token).GetAwaiter().GetResult();
        }
        catch (PipelineStageException e)
        {
            // A stage that lost its state holds nothing to release; the next step reconnects.
            LogReleaseFailed(_logger, keys.Length, e.Message);
        }
    }

    private string[] TakeTailReleases()
    {
        var keys = _tailReleases.ToArray();
        _tailReleases.Clear();
        return keys;
    }

    private void PublishCounters()
    {
        Volatile.Write(ref _runningCount, _running.Count);
        Volatile.Write(ref _reservedTokens, _budget.Reserved);
        Volatile.Write(ref _idleCount, _idle.Count);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "engine step failed; its sequences were ended with the error")]
    private static partial void LogStepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pipeline stage failed a step ({Code}): {Detail}; its running sequences were ended with the error")]
    private static partial void LogStageFailed(ILogger logger, string code, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not release {Count} caches on the later pipeline stages: {Detail}")]
    private static partial void LogReleaseFailed(ILogger logger, int count, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "preempted sequence {SequenceKey} at {Tokens} tokens to free KV memory; it will be recomputed")]
    private static partial void LogPreempted(ILogger logger, string sequenceKey, int tokens);
}
