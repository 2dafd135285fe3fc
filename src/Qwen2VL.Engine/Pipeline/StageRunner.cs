using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;
using static TorchSharp.torch;

namespace Qwen2VL.Engine.Pipeline;

/// <summary>
/// One stage of the pipeline tail as the stage before it sees it: runs this stage's layers on a step against its own
/// caches, then hands the hidden states to the next stage, if any, and returns the last stage's logits. One runner
/// serves one upstream stream and owns that stream's caches.
/// </summary>
public sealed class StageRunner : IPipelineTail
{
    private readonly HostedStage _host;
    private readonly StageCacheMap _caches;
    private readonly IPipelineTail? _next;
    private bool _disposed;

    /// <param name="host">The stage and its budget.</param>
    /// <param name="next">The stages after this one; null on the last stage. The runner owns it.</param>
    public StageRunner(HostedStage host, IPipelineTail? next)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.Stage.IsLast != (next is null))
        {
            throw new ArgumentException($"stage {host.Stage.Layers} {(host.Stage.IsLast ? "is the last stage and takes no next stage" : "is not the last stage and needs a next stage")}");
        }

        _host = host;
        _caches = new StageCacheMap(host);
        _next = next;
    }

    /// <summary>Caches this runner holds on its own stage.</summary>
    public int CachedSequences
    {
        get
        {
            lock (_host.Gate)
            {
                return _caches.Count;
            }
        }
    }

    /// <inheritdoc/>
    public async Task<Tensor?> ForwardAsync(PipelineStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        var (hidden, logits) = RunLocal(step);
        if (_next is null)
        {
            return logits;
        }

        using (hidden)
        {
            return await _next.ForwardAsync(step with { Hidden = hidden! }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task ReleaseAsync(IReadOnlyList<string> cacheKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cacheKeys);
        lock (_host.Gate)
        {
            _caches.Release(cacheKeys);
        }

        if (_next is not null)
        {
            await _next.ReleaseAsync(cacheKeys, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops this runner's caches and closes the stages after it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_host.Gate)
        {
            _caches.Dispose();
        }

        if (_next is not null)
        {
            await _next.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs this stage synchronously, so every tensor of the forward lives and dies on one thread.</summary>
    private (Tensor? Hidden, Tensor? Logits) RunLocal(PipelineStep step)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_host.Gate)
        {
            _caches.Release(step.ReleaseKeys);
            if (step.Segments.Count == 0)
            {
                return (null, null);
            }

            var segments = _caches.Prepare(step.Segments);
            StageOutput output;
            try
            {
                output = _host.Stage.Forward(new StageInput
                {
                    Segments = segments,
                    Hidden = step.Hidden,
                    PositionIds = step.PositionIds,
                    LogitRows = step.LogitRows,
                });
            }
            catch (Exception e) when (e is ArgumentException or KvCacheFullException)
            {
                throw new PipelineStageException(e is KvCacheFullException ? PipelineErrorCode.CapacityExceeded : PipelineErrorCode.InvalidStep, _host.Description, e.Message, e);
            }

            // The outputs outlive this call (and, on a server, this thread): hand them over outside any dispose scope.
            var hidden = output.Hidden?.DetachFromDisposeScope();
            var logits = output.Logits?.DetachFromDisposeScope();
            return (hidden, logits);
        }
    }
}
