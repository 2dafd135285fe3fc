using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Qwen2VL.Gateway.Health;

/// <summary>Healthy once <see cref="ServingReadiness"/> says a model is loaded and a pipeline registered.</summary>
public sealed class ServingHealthCheck : IHealthCheck
{
    /// <summary>The name this check is registered under.</summary>
    public const string Name = "serving";

    private readonly ServingReadiness _readiness;

    public ServingHealthCheck(ServingReadiness readiness)
    {
        _readiness = readiness;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_readiness.IsReady
            ? HealthCheckResult.Healthy("a model is loaded and a pipeline is registered")
            : HealthCheckResult.Unhealthy(_readiness.Describe()));
}
