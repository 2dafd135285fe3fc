using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Worker.V1;
using Qwen2VL.Worker.Wire;
using static TorchSharp.torch;

namespace Qwen2VL.Worker.Client;

/// <summary>
/// The stages after this one, reached over gRPC: one long-lived Forward stream to the next stage, one request per
/// step. The next stage's caches live as long as the stream, so any broken exchange drops the stream (the remote
/// side then frees everything it held for it) and reports the state as lost; the next step opens a fresh stream
/// after checking, with GetInfo, that the stage there continues this one's layers. Used by one thread at a time.
/// </summary>
public sealed class GrpcPipelineTail : IPipelineTail
{
    private readonly WorkerService.WorkerServiceClient _client;
    private readonly string _address;
    private readonly int _startLayer;
    private readonly GrpcPipelineTailOptions _options;
    private AsyncDuplexStreamingCall<ForwardRequest, ForwardResponse>? _call;
    private string _stage;
    private long _step;

    /// <param name="channel">A channel from <see cref="WorkerChannel.Create"/>; the caller owns it.</param>
    /// <param name="startLayer">The layer the next stage must start at (where the sending stage ends).</param>
    /// <param name="options">Timeouts; defaults when null.</param>
    public GrpcPipelineTail(GrpcChannel channel, int startLayer, GrpcPipelineTailOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _client = new WorkerService.WorkerServiceClient(channel);
        _address = channel.Target;
        _startLayer = startLayer;
        _options = options ?? new GrpcPipelineTailOptions();
        _stage = $"at {_address}";
    }

    /// <summary>Whether a Forward stream is open (the next stage may hold caches of this tail).</summary>
    public bool IsConnected => _call is not null;

    /// <inheritdoc/>
    public async Task<Tensor?> ForwardAsync(PipelineStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        bool fresh = _call is null;
        var call = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // Releases name caches of the stream they were made on; a fresh stream's stage holds none of them.
        var request = StepCodec.ToRequest(step, ++_step, fresh ? Array.Empty<string>() : step.ReleaseKeys, StageTracing.Current());
        var response = await ExchangeAsync(call, request, cancellationToken).ConfigureAwait(false);
        return response.Logits is null ? null : TensorCodec.ToTensor(response.Logits, CPU);
    }

    /// <inheritdoc/>
    public async Task ReleaseAsync(IReadOnlyList<string> cacheKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cacheKeys);
        if (_call is null || cacheKeys.Count == 0)
        {
            return;
        }

        var request = new ForwardRequest { Step = ++_step, Trace = StageTracing.Current() };
        request.ReleaseKeys.AddRange(cacheKeys);
        await ExchangeAsync(_call, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the stream; the next stage drops every cache it held for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_call is not { } call)
        {
            return;
        }

        _call = null;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            await call.RequestStream.CompleteAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException or IOException)
        {
            // The stream is already broken; disposing it below is all that is left to do.
        }

        call.Dispose();
    }

    private async Task<AsyncDuplexStreamingCall<ForwardRequest, ForwardResponse>> OpenAsync(CancellationToken cancellationToken)
    {
        if (_call is { } open)
        {
            return open;
        }

        WorkerInfo info;
        try
        {
            // Waiting for the channel to be ready (rather than failing at once while it backs off) lets a stage that is
            // restarting or being replaced take over within the connect timeout.
            var callOptions = new CallOptions(deadline: DateTime.UtcNow.Add(_options.ConnectTimeout), cancellationToken: cancellationToken).WithWaitForReady();
            info = await _client.GetInfoAsync(new GetInfoRequest(), callOptions).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PipelineStageException(PipelineErrorCode.Unavailable, _stage, $"cannot reach the next stage: {e.Status.StatusCode} {e.Status.Detail}", e);
        }

        _stage = $"layers [{info.LayerStart}, {info.LayerEnd}) at {_address}";
        if (info.LayerStart != _startLayer)
        {
            throw new PipelineStageException(PipelineErrorCode.Misconfigured, _stage, $"the next stage must start at layer {_startLayer}, it holds layers [{info.LayerStart}, {info.LayerEnd})");
        }

        _call = _client.Forward();
        return _call;
    }

    private async Task<ForwardResponse> ExchangeAsync(AsyncDuplexStreamingCall<ForwardRequest, ForwardResponse> call, ForwardRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StepTimeout);
        ForwardResponse response;
        try
        {
            await call.RequestStream.WriteAsync(request, timeout.Token).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(timeout.Token).ConfigureAwait(false))
            {
                throw Lost($"the stage ended the stream during step {request.Step}", null);
            }

            response = call.ResponseStream.Current;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Reset();
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw Lost($"no answer to step {request.Step} within {_options.StepTimeout.TotalSeconds:0.#} s", e);
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException)
        {
            string detail = e is RpcException rpc ? $"{rpc.Status.StatusCode} {rpc.Status.Detail}" : e.Message;
            throw Lost($"the stream broke during step {request.Step}: {detail}", e);
        }

        if (response.Step != request.Step)
        {
            throw Lost($"answered step {response.Step} to step {request.Step}", null);
        }

        if (response.Error is { } error)
        {
            var failure = StepCodec.ToException(error, _stage);
            if (failure.StateLost)
            {
                Reset();
            }

            throw failure;
        }

        return response;
    }

    private PipelineStageException Lost(string detail, Exception? inner)
    {
        Reset();
        return new PipelineStageException(PipelineErrorCode.Unavailable, _stage, detail, inner);
    }

    /// <summary>Abandons the stream: cancelling it makes the next stage drop what it held for it.</summary>
    private void Reset()
    {
        _call?.Dispose();
        _call = null;
    }
}
