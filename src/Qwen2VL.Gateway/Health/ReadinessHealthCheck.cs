using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Qwen2VL.Gateway.Health;

/// <summary>Reports <see cref="ReadinessState"/>: healthy when ready, unhealthy (HTTP 503) with the reason otherwise.</summary>
public sealed class ReadinessHealthCheck : IHealthCheck
{
    private readonly ReadinessState _state;

    public ReadinessHealthCheck(ReadinessState state) => _state = state;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = _state.Current;
        var data = new Dictionary<string, object>
        {
            ["model_loaded"] = status.ModelLoaded,
            ["complete_pipelines"] = status.CompletePipelines,
        };
        return Task.FromResult(status.IsReady
            ? HealthCheckResult.Healthy(status.Reason, data)
            : HealthCheckResult.Unhealthy(status.Reason, data: data));
    }
}
