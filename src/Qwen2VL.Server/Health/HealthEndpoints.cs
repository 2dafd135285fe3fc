using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Qwen2VL.Gateway.Health;

namespace Qwen2VL.Server.Health;

/// <summary>
/// Liveness and readiness probes. Liveness only says the process serves HTTP (restarting a server that waits for a
/// pipeline would not help); readiness says it can take traffic (<see cref="ReadinessState"/>).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Prefix of both probes.</summary>
    public const string BasePath = "/health";

    public const string LivePath = BasePath + "/live";

    public const string ReadyPath = BasePath + "/ready";

    /// <summary>Tag of the checks behind the liveness probe.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the checks behind the readiness probe (a gRPC health service should map the same tag).</summary>
    public const string ReadyTag = ReadinessRegistration.Tag;

    /// <summary>Registers <see cref="ReadinessState"/> (unless one is registered) and the probes' health checks.</summary>
    public static IHealthChecksBuilder AddQwen2VLHealthChecks(this IServiceCollection services, ReadinessRequirements requirements = ReadinessRequirements.All)
    {
        services.AddReadiness(requirements);
        return services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("serving"), tags: [LiveTag]);
    }

    /// <summary>Maps <see cref="LivePath"/> and <see cref="ReadyPath"/>; both answer 200 or 503 with the status name.</summary>
    public static IEndpointRouteBuilder MapQwen2VLHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        routes.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return routes;
    }
}
