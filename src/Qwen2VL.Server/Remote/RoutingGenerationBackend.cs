using System.Runtime.CompilerServices;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Server.Worker;

namespace Qwen2VL.Server.Remote;

/// <summary>
/// The silo's data plane: a pipeline whose entry is <see cref="LocalWorker.InProcessAddress"/> runs on this
/// process's worker, any other (<c>http://…</c>) over gRPC, so one silo serves both kinds side by side.
/// </summary>
public sealed class RoutingGenerationBackend : IGenerationBackend
{
    private readonly LocalGenerationBackend? _local;
    private readonly GrpcGenerationBackend _remote;

    /// <param name="remote">Calls workers in other processes.</param>
    /// <param name="local">This process's worker; null when it has none.</param>
    public RoutingGenerationBackend(GrpcGenerationBackend remote, LocalGenerationBackend? local = null)
    {
        _remote = remote;
        _local = local;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Picked inside the iterator, so a pipeline this process cannot reach fails the enumeration (where the grain
        // handles pipeline failures), not the call that creates it.
        await foreach (var item in For(request.Pipeline).GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <inheritdoc/>
    public Task<bool> ReleaseCacheAsync(PipelineReference pipeline, string tenantId, string sequenceKey, CancellationToken cancellationToken) =>
        For(pipeline).ReleaseCacheAsync(pipeline, tenantId, sequenceKey, cancellationToken);

    private IGenerationBackend For(PipelineReference pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (!string.Equals(pipeline.EntryAddress, LocalWorker.InProcessAddress, StringComparison.OrdinalIgnoreCase))
        {
            return _remote;
        }

        // Another silo's in-process worker registered the same address; only that silo can reach it.
        return _local ?? throw new PipelineUnreachableException(pipeline.Id, pipeline.EntryAddress,
            "this process has no in-process worker; the pipeline belongs to another silo's process");
    }
}
