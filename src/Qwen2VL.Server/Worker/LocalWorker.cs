using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen2VL.Engine.Telemetry;
using Qwen2VL.Engine.Text;
using Qwen2VL.Engine;
using Qwen2VL.Gateway.Health;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Model.Config;
using Qwen2VL.Model.Stages;
using Qwen2VL.Model;
using Qwen2VL.Processing.Media;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Processing.Video;
using Qwen2VL.Server.Health;
using Qwen2VL.Server.Hosting;
using Qwen2VL.Server.Hub;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.Hosting;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// The model worker living in this process: loads the checkpoint in the background (so liveness answers while a
/// large model loads), runs the engine, and registers and heartbeats with the worker directory.
/// </summary>
public sealed partial class LocalWorker : BackgroundService
{
    /// <summary>The address of a worker reached in-process rather than over gRPC.</summary>
    public const string InProcessAddress = "inproc://local";

    private readonly ServerOptions _options;
    private readonly ModelResolver _resolver;
    private readonly IGrainFactory _grains;
    private readonly ReadinessState _readiness;
    private readonly ILogger<LocalWorker> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly EngineMetrics _metrics;
    private readonly WorkerEndpoint _endpoint;
    private readonly TaskCompletionSource<LoadedModel> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LocalWorker(IOptions<ServerOptions> options, WorkerEndpoint endpoint, ModelResolver resolver, IGrainFactory grains, ReadinessState readiness,
        EngineMetrics metrics, ILoggerFactory loggers)
    {
        _endpoint = endpoint;
        _options = options.Value;
        _resolver = resolver;
        _grains = grains;
        _readiness = readiness;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<LocalWorker>();
    }

    /// <summary>Identifies this process's worker across restarts of the same address.</summary>
    public string WorkerId { get; } = $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}";

    /// <summary>Changes on every start, so a lease on an earlier instance is recognised as lost.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("n");

    public string ModelId => ServedModelNames.For(_options);

    /// <summary>The address this worker registers: in-process, or its worker gRPC endpoint.</summary>
    public string Address => _endpoint.Address;

    /// <summary>The loaded model; faults if loading failed.</summary>
    public Task<LoadedModel> Loaded => _loaded.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LoadedModel model;
        try
        {
            model = await Task.Run(() => LoadAsync(stoppingToken), stoppingToken).ConfigureAwait(false);
            _loaded.TrySetResult(model);
            _readiness.SetModelLoaded(true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoadFailed(_logger, e, _options.Model ?? "");
            _loaded.TrySetException(e);
            return;
        }

        try
        {
            await RegisterAndHeartbeatAsync(model, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            await _grains.GetWorkerDirectory().UnregisterAsync(WorkerId).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await model.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<LoadedModel> LoadAsync(CancellationToken cancellationToken)
    {
        string model = _options.Model ?? throw new InvalidOperationException("no model given: pass --model <folder or hub id>");
        string folder = await _resolver.ResolveAsync(model, new ModelDownloadOptions { Revision = _options.Revision }, cancellationToken).ConfigureAwait(false);
        TorchRuntime.SetThreads(_options.Threads);
        var placement = new ModelPlacement(TorchRuntime.ParseDType(_options.Dtype), TorchRuntime.ParseDevice(_options.Device));
        var started = DateTime.UtcNow;
        var prompts = PromptBuilder.FromCheckpoint(folder);
        var defaults = GenerationDefaults.Load(folder, prompts.Tokenizer.EosTokenIds);
        ChildStages? children = null;
        GrpcPipelineTail? tail = null;
        Qwen2VLStage stage;
        if (_options.PipelineStages > 1)
        {
            var config = Qwen2VLConfig.Load(folder);
            var ranges = Model.Stages.LayerRange.Split(config.NumHiddenLayers, _options.PipelineStages);
            children = await ChildStages.StartAsync(folder, ranges.Skip(1).ToList(), _options.Dtype, _options.Threads, _options.Engine.KvCacheTokens,
                _logger, cancellationToken).ConfigureAwait(false);
            stage = Qwen2VLStage.Load(folder, placement, ranges[0]);
            tail = new GrpcPipelineTail(WorkerChannel.Create(children.FirstAddress), ranges[0].End);
        }
        else if (!string.IsNullOrWhiteSpace(_options.Layers))
        {
            var layers = StageHostCommandLine.ParseLayers(_options.Layers);
            if (layers.Start != 0)
            {
                throw new ArgumentException($"--layers {_options.Layers}: a worker drives the pipeline and holds its first layers (0:b); serve later layers with the 'stage' command");
            }

            stage = Qwen2VLStage.Load(folder, placement, layers);
            if (!stage.IsLast)
            {
                string next = _options.NextStage ?? throw new ArgumentException($"--layers {_options.Layers} ends before the model's last layer: give --next-stage");
                tail = new GrpcPipelineTail(WorkerChannel.Create(StageHostCommandLine.NormalizeAddress(next)), layers.End);
            }
        }
        else
        {
            stage = Qwen2VLStage.Load(folder, placement);
        }

        var engine = new InferenceEngine(stage, tail, defaults.EosTokenIds, _options.Engine, _loggers.CreateLogger<InferenceEngine>(), metrics: _metrics);
        LogLoaded(_logger, model, folder, placement.DType.ToString(), (DateTime.UtcNow - started).TotalSeconds);
        return new LoadedModel(stage, new TextGenerator(engine, prompts), defaults, new VideoLoader(), tail, children);
    }

    private async Task RegisterAndHeartbeatAsync(LoadedModel model, CancellationToken stoppingToken)
    {
        var directory = _grains.GetWorkerDirectory();
        var config = model.Stage.Config;
        var registration = new WorkerRegistration(WorkerId, InstanceId, Address, ModelId,
            new Grains.Abstractions.Workers.LayerRange(0, config.NumHiddenLayers), config.NumHiddenLayers,
            _options.Engine.MaxRunningSequences, _options.Engine.KvCacheTokens);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        bool registered = false;
        do
        {
            try
            {
                var snapshot = model.Generator.Engine.Snapshot();
                if (!registered || !await directory.HeartbeatAsync(new WorkerHeartbeat(WorkerId, InstanceId, snapshot.Running,
                        snapshot.KvCapacityTokens - snapshot.KvReservedTokens)).ConfigureAwait(false))
                {
                    // Unknown to the directory (first start, or it forgot us after a silo failover): register again.
                    await directory.RegisterAsync(registration).ConfigureAwait(false);
                    registered = true;
                    LogRegistered(_logger, WorkerId, Address);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHeartbeatFailed(_logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "model {Model} loaded from {Folder} as {DType} in {Seconds:0.0} s")]
    private static partial void LogLoaded(ILogger logger, string model, string folder, string dType, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "loading model {Model} failed; this worker will not serve")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker {WorkerId} registered at {Address}")]
    private static partial void LogRegistered(ILogger logger, string workerId, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "worker heartbeat failed; retrying")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}

/// <summary>What a loaded worker holds.</summary>
public sealed record LoadedModel(Qwen2VLStage Stage, TextGenerator Generator, GenerationDefaults Defaults, VideoLoader Videos,
    GrpcPipelineTail? Tail = null, ChildStages? Children = null) : IAsyncDisposable
{
    public int TotalLayers => Stage.Config.NumHiddenLayers;

    /// <summary>Builds videos given as frame lists, decoding frames under the prompt builder's image limits.</summary>
    public FrameListLoader FrameLists { get; } = new(Generator.Prompts.Images.Decoder);

    public async ValueTask DisposeAsync()
    {
        await Generator.Engine.DisposeAsync().ConfigureAwait(false);
        if (Tail is not null)
        {
            await Tail.DisposeAsync().ConfigureAwait(false);
        }

        if (Children is not null)
        {
            await Children.DisposeAsync().ConfigureAwait(false);
        }

        Stage.Dispose();
    }
}
