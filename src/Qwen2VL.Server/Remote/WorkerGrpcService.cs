using Grpc.Core;
using Microsoft.Extensions.Logging;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Server.Worker;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.V1;

namespace Qwen2VL.Server.Remote;

/// <summary>
/// The worker gRPC API of a worker in its own process: <c>Generate</c> and <c>ReleaseCache</c> over this process's
/// <see cref="LocalWorker"/>, with errors as statuses (see <see cref="WorkerErrors"/>). Stage-to-stage
/// <c>Forward</c> belongs to stage processes and stays unimplemented here.
/// </summary>
public sealed partial class WorkerGrpcService : WorkerService.WorkerServiceBase
{
    private readonly LocalWorker _worker;
    private readonly IMediaStore _media;
    private readonly ILogger<WorkerGrpcService> _logger;

    public WorkerGrpcService(LocalWorker worker, IMediaStore media, ILogger<WorkerGrpcService> logger)
    {
        _worker = worker;
        _media = media;
        _logger = logger;
    }

    /// <inheritdoc/>
    public override async Task Generate(GenerateRequest request, IServerStreamWriter<TokenEvent> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        using var activity = StageTracing.StartServer(request.Trace, "qwen2vl.worker.generate");
        activity?.SetTag("qwen2vl.request_id", request.RequestId);
        var model = await ModelAsync().ConfigureAwait(false);
        CheckInstance(request.InstanceId);
        LogGenerating(_logger, request.RequestId, request.SequenceKey, request.ContinuationTokenIds.Count);
        try
        {
            var generation = WorkerRequestWire.FromProto(request, Self(model));
            var media = new MediaResolver(_media, request.TenantId, WorkerRequestWire.InlineMedia(request));
            await foreach (var item in WorkerGeneration.RunAsync(model, generation, media, context.CancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(WorkerEventWire.ToProto(item), context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (GenerationRejectedException e)
        {
            throw WorkerErrors.Create(StatusCode.InvalidArgument, e.Code, e.Message);
        }
        catch (WorkerUnavailableException e)
        {
            LogUnavailable(_logger, request.RequestId, e.Code, e.Message);
            throw WorkerErrors.Create(e.CacheLost ? StatusCode.FailedPrecondition : StatusCode.Unavailable, e.Code, e.Message);
        }
        catch (Exception e) when (e is not (OperationCanceledException or RpcException))
        {
            LogFailed(_logger, e, request.RequestId);
            throw WorkerErrors.Create(StatusCode.Internal, "internal", $"the worker failed the request: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <inheritdoc/>
    public override async Task<ReleaseCacheResponse> ReleaseCache(ReleaseCacheRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = await ModelAsync().ConfigureAwait(false);
        if (!string.IsNullOrEmpty(request.InstanceId) && request.InstanceId != _worker.InstanceId)
        {
            // Another process instance: the cache the caller means died with it.
            return new ReleaseCacheResponse { Released = false };
        }

        model.Generator.Engine.ReleaseCache(request.SequenceKey);
        return new ReleaseCacheResponse { Released = true };
    }

    private async Task<LoadedModel> ModelAsync()
    {
        var loaded = _worker.Loaded;
        if (!loaded.IsCompleted)
        {
            throw WorkerErrors.Create(StatusCode.Unavailable, "loading", "the worker is still loading its model");
        }

        try
        {
            return await loaded.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw WorkerErrors.Create(StatusCode.Unavailable, "model_load_failed", $"the worker could not load its model: {e.Message}");
        }
    }

    private void CheckInstance(string instanceId)
    {
        if (!string.IsNullOrEmpty(instanceId) && instanceId != _worker.InstanceId)
        {
            throw WorkerErrors.Create(StatusCode.FailedPrecondition, "unknown_instance",
                $"worker {_worker.WorkerId} is now instance {_worker.InstanceId}, not {instanceId}: the caches of that instance are gone");
        }
    }

    /// <summary>This worker as a one-stage pipeline, the form the shared generation code takes.</summary>
    private PipelineReference Self(LoadedModel model) => new(_worker.ModelId,
        [new PipelineStage(_worker.WorkerId, _worker.InstanceId, _worker.Address, new LayerRange(0, model.TotalLayers))]);

    [LoggerMessage(Level = LogLevel.Information, Message = "generating request {RequestId} for {SequenceKey} ({Continuation} continuation tokens)")]
    private static partial void LogGenerating(ILogger logger, string requestId, string sequenceKey, int continuation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "request {RequestId} not served ({Code}): {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string requestId, string code, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "request {RequestId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string requestId);
}
