using System.Runtime.CompilerServices;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// The data plane when the worker lives in the same process as the silo (the embedded default): runs the request on
/// the local engine. Request problems become <see cref="GenerationRejectedException"/>; a worker that is not (or no
/// longer) the one the pipeline names, or that cannot serve now, becomes a <see cref="PipelineFailureException"/>,
/// so the grain moves on.
/// </summary>
public sealed class LocalGenerationBackend : IGenerationBackend
{
    private readonly LocalWorker _worker;
    private readonly IMediaStore _media;

    public LocalGenerationBackend(LocalWorker worker, IMediaStore media)
    {
        _worker = worker;
        _media = media;
    }

    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = await ModelForAsync(request.Pipeline).ConfigureAwait(false);
        var events = WorkerGeneration.RunAsync(model, request, new MediaResolver(_media, request.TenantId), cancellationToken);
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (WorkerUnavailableException e) when (e.CacheLost)
            {
                throw new KvLeaseLostException(request.Pipeline.Id, request.SequenceKey, e.Message, e);
            }
            catch (WorkerUnavailableException e)
            {
                throw new PipelineUnreachableException(request.Pipeline.Id, LocalWorker.InProcessAddress, e.Message, e);
            }

            yield return enumerator.Current;
        }
    }

    public async Task<bool> ReleaseCacheAsync(PipelineReference pipeline, string tenantId, string sequenceKey, CancellationToken cancellationToken)
    {
        var model = await ModelForAsync(pipeline).ConfigureAwait(false);
        model.Generator.Engine.ReleaseCache(sequenceKey);
        return true;
    }

    private async Task<LoadedModel> ModelForAsync(PipelineReference pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var stage = pipeline.Stages.Count == 1 ? pipeline.Stages[0] : null;
        if (stage is null || stage.InstanceId != _worker.InstanceId)
        {
            throw new PipelineUnreachableException(pipeline.Id, pipeline.EntryAddress,
                "this process serves only its own in-process worker; remote pipelines need the gRPC backend");
        }

        return await _worker.Loaded.ConfigureAwait(false);
    }
}
