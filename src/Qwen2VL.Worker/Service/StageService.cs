using Grpc.Core;
using Qwen2VL.Worker.V1;

namespace Qwen2VL.Worker.Service;

/// <summary>
/// The worker API of a stage after the first: Forward (one stream per upstream stage, one request per step) and
/// GetInfo. The driver-only calls (Generate, ReleaseCache) answer Unimplemented here; releases reach
/// later stages through their Forward stream.
/// </summary>
public sealed class StageService : WorkerService.WorkerServiceBase
{
    private readonly StageServer _server;

    /// <summary>Serves <paramref name="server"/>.</summary>
    public StageService(StageServer server) => _server = server;

    /// <inheritdoc/>
    public override Task<WorkerInfo> GetInfo(GetInfoRequest request, ServerCallContext context) => Task.FromResult(_server.Info());

    /// <inheritdoc/>
    public override async Task Forward(IAsyncStreamReader<ForwardRequest> requestStream, IServerStreamWriter<ForwardResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        // The runner owns this stream's caches here and its stream to the next stage: both go when the stream ends.
        await using var runner = _server.OpenRunner();
        try
        {
            while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var response = await _server.HandleAsync(runner, requestStream.Current, cancellationToken).ConfigureAwait(false);
                await responseStream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
                if (response.Error is { Code: StageErrorCode.Unavailable or StageErrorCode.StateLost or StageErrorCode.Misconfigured })
                {
                    // The pipeline behind this stage lost its state: end the stream so everything it made goes too.
                    return;
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The upstream stage went away (closed, cancelled or died); disposing the runner frees its caches.
        }
    }
}
