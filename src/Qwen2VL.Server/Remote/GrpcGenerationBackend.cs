using System.Runtime.CompilerServices;
using Grpc.Core;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.V1;
using GrainRequest = Qwen2VL.Grains.Abstractions.Generation.GenerationRequest;

namespace Qwen2VL.Server.Remote;

/// <summary>
/// The data plane towards workers in other processes: calls <c>Generate</c> on the pipeline's entry address and
/// streams its events. Worker statuses map to <see cref="GenerationRejectedException"/> (INVALID_ARGUMENT),
/// <see cref="KvLeaseLostException"/> (FAILED_PRECONDITION) and <see cref="PipelineUnreachableException"/>
/// (UNAVAILABLE, and any failure of the connection or the worker process, before or during the stream), so the
/// session grain fails over on the last two. Disposing the stream early cancels the call on the worker.
/// </summary>
public sealed class GrpcGenerationBackend : IGenerationBackend
{
    private readonly WorkerChannels _channels;
    private readonly IMediaStore _media;
    private readonly GrpcGenerationBackendOptions _options;

    public GrpcGenerationBackend(WorkerChannels channels, IMediaStore media, GrpcGenerationBackendOptions options)
    {
        _channels = channels;
        _media = media;
        _options = options;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<GenerationEvent> GenerateAsync(GrainRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string address = request.Pipeline.EntryAddress;
        var bytes = _options.SendMediaBytes ? await MediaBytesAsync(request, cancellationToken).ConfigureAwait(false) : null;
        var wire = WorkerRequestWire.ToProto(request, bytes, StageTracing.Current());
        var client = new WorkerService.WorkerServiceClient(_channels.For(address));
        AsyncServerStreamingCall<TokenEvent> call;
        try
        {
            call = client.Generate(wire, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw Map(e, request.Pipeline, request.SequenceKey, cancellationToken);
        }

        // Disposing an unfinished call cancels it: a caller that stops reading frees the worker's sequence.
        using (call)
        {
            while (true)
            {
                try
                {
                    if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (RpcException e)
                {
                    throw Map(e, request.Pipeline, request.SequenceKey, cancellationToken);
                }

                if (WorkerEventWire.FromProto(call.ResponseStream.Current) is { } item)
                {
                    yield return item;
                }
            }
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ReleaseCacheAsync(PipelineReference pipeline, string tenantId, string sequenceKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var client = new WorkerService.WorkerServiceClient(_channels.For(pipeline.EntryAddress));
        var request = new ReleaseCacheRequest { TenantId = tenantId, SequenceKey = sequenceKey, InstanceId = pipeline.Stages[0].InstanceId };
        try
        {
            var response = await client.ReleaseCacheAsync(request, deadline: DateTime.UtcNow + _options.ReleaseTimeout, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.Released;
        }
        catch (RpcException e)
        {
            throw Map(e, pipeline, sequenceKey, cancellationToken);
        }
    }

    /// <summary>The exception the grains expect for a failed call.</summary>
    private static Exception Map(RpcException error, PipelineReference pipeline, string sequenceKey, CancellationToken cancellationToken)
    {
        if (error.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("the generation call was cancelled by its caller", error, cancellationToken);
        }

        string id = pipeline.Id, address = pipeline.EntryAddress;
        string? reason = WorkerErrors.ReasonOf(error);
        return (reason, error.StatusCode) switch
        {
            // Only a status the worker itself raised blames the request; transport statuses never do.
            (not null, StatusCode.InvalidArgument) => new GenerationRejectedException(reason, error.Status.Detail),
            (not null, StatusCode.FailedPrecondition) => new KvLeaseLostException(id, sequenceKey, $"{reason}: {error.Status.Detail}", error),
            (not null, _) => new PipelineUnreachableException(id, address, $"{reason}: {error.Status.Detail}", error),
            _ => new PipelineUnreachableException(id, address, $"{error.StatusCode}: {error.Status.Detail}", error),
        };
    }

    /// <summary>The bytes of every media item the conversation refers to that this process's store holds.</summary>
    private async Task<Dictionary<string, ReadOnlyMemory<byte>>> MediaBytesAsync(GrainRequest request, CancellationToken cancellationToken)
    {
        var bytes = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var reference in request.Conversation.SelectMany(m => m.Media))
        {
            if (!bytes.ContainsKey(reference.ContentHash)
                && await _media.GetAsync(request.TenantId, reference.ContentHash, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                bytes[reference.ContentHash] = stored.Bytes;
            }
        }

        return bytes;
    }
}
