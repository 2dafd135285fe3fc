using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.V1;
using Qwen2VL.Worker.Wire;

namespace Qwen2VL.Worker.Service;

/// <summary>
/// What a stage process serves: its loaded stage and budget, and the channel to the next stage when it is not the
/// last. Each upstream Forward stream gets its own <see cref="StageRunner"/> (and, through it, its own stream to the
/// next stage), so a stream's caches on every later stage live and die with it.
/// </summary>
public sealed partial class StageServer : IAsyncDisposable
{
    private readonly GrpcChannel? _next;
    private readonly ILogger _logger;

    /// <param name="host">The loaded stage and its KV budget.</param>
    /// <param name="nextStage">Address of the next stage (http://host:port); null on the last stage.</param>
    /// <param name="options">Message limits and timeouts.</param>
    public StageServer(HostedStage host, string? nextStage, StageServerOptions options, ILogger<StageServer> logger)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        if (host.Stage.IsLast != (nextStage is null))
        {
            throw new ArgumentException(host.Stage.IsLast
                ? $"stage {host.Stage.Layers} ends the model; it takes no next stage (got {nextStage})"
                : $"stage {host.Stage.Layers} does not end the model ({host.Stage.Config.NumHiddenLayers} layers); it needs the next stage's address");
        }

        Host = host;
        Options = options;
        NextStage = nextStage;
        _next = nextStage is null ? null : WorkerChannel.Create(nextStage, options.MaxMessageBytes);
        _logger = logger;
    }

    /// <summary>The loaded stage and its budget.</summary>
    public HostedStage Host { get; }

    /// <summary>Address of the next stage, or null.</summary>
    public string? NextStage { get; }

    /// <summary>Limits and identity.</summary>
    public StageServerOptions Options { get; }

    /// <summary>A runner for one new upstream stream.</summary>
    public StageRunner OpenRunner() =>
        new(Host, _next is null ? null : new GrpcPipelineTail(_next, Host.Stage.Layers.End, Options.Tail));

    /// <summary>Runs one request of a stream and answers it; failures become the response's error.</summary>
    public async Task<ForwardResponse> HandleAsync(StageRunner runner, ForwardRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(request);
        using var activity = StageTracing.StartStep(request.Trace, request.Step);
        var response = new ForwardResponse { Step = request.Step };
        try
        {
            if (request.Segments.Count == 0)
            {
                await runner.ReleaseAsync(request.ReleaseKeys, cancellationToken).ConfigureAwait(false);
                return response;
            }

            var step = StepCodec.ToStep(request, Host.Stage.Placement.Device, Host.Description);
            try
            {
                using var logits = await runner.ForwardAsync(step, cancellationToken).ConfigureAwait(false);
                if (logits is not null)
                {
                    response.Logits = TensorCodec.ToProto(logits);
                }
            }
            finally
            {
                step.Hidden.Dispose();
                step.PositionIds.Dispose();
            }
        }
        catch (PipelineStageException e)
        {
            LogStepFailed(_logger, request.Step, e.Code, e.Message);
            response.Error = StepCodec.ToProto(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStepCrashed(_logger, request.Step, e);
            response.Error = new StageError { Code = StageErrorCode.Internal, Message = $"{e.GetType().Name}: {e.Message}", Stage = Host.Description };
        }

        return response;
    }

    /// <summary>This stage's identity and load.</summary>
    public WorkerInfo Info()
    {
        var stage = Host.Stage;
        var info = new WorkerInfo
        {
            WorkerId = Options.WorkerId,
            ModelId = Options.ModelId,
            LayerStart = stage.Layers.Start,
            LayerEnd = stage.Layers.End,
            TotalLayers = stage.Config.NumHiddenLayers,
            FirstStage = stage.IsFirst,
            LastStage = stage.IsLast,
            Dtype = stage.Placement.DType.ToString(),
            Device = stage.Placement.Device.ToString(),
            MaxContextTokens = Host.MaxContextTokens,
            NextStageAddress = NextStage ?? "",
        };
        lock (Host.Gate)
        {
            info.KvCapacityTokens = Host.Budget.Capacity;
            info.KvFreeTokens = Host.Budget.Free;
            info.CachedSequences = Host.CachedSequences;
        }

        return info;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _next?.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "step {Step} refused ({Code}): {Detail}")]
    private static partial void LogStepFailed(ILogger logger, long step, string code, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "step {Step} failed")]
    private static partial void LogStepCrashed(ILogger logger, long step, Exception exception);
}
