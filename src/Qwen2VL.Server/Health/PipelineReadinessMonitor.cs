using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen2VL.Gateway.Health;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Server.Hosting;

namespace Qwen2VL.Server.Health;

/// <summary>Keeps <see cref="ReadinessState"/>'s count of complete pipelines for the served model up to date from the worker directory.</summary>
public sealed partial class PipelineReadinessMonitor : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly IGrainFactory _grains;
    private readonly ReadinessState _readiness;
    private readonly string _modelId;
    private readonly ILogger<PipelineReadinessMonitor> _logger;

    public PipelineReadinessMonitor(IGrainFactory grains, ReadinessState readiness, IOptions<ServerOptions> options, ILogger<PipelineReadinessMonitor> logger)
    {
        _grains = grains;
        _readiness = readiness;
        _modelId = ServedModelNames.For(options.Value);
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                var pipelines = await _grains.GetWorkerDirectory().GetPipelinesAsync(_modelId).ConfigureAwait(false);
                _readiness.SetCompletePipelines(pipelines.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The cluster may still be forming; readiness stays as it was.
                LogPollFailed(_logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "could not read the worker directory")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
