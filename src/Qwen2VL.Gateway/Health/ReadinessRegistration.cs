using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Qwen2VL.Gateway.Health;

/// <summary>
/// Registers the one <see cref="ReadinessState"/> of a process and its health check. The HTTP readiness probe and
/// the gRPC health service both select the check by <see cref="Tag"/>, so they can never disagree.
/// </summary>
public static class ReadinessRegistration
{
    /// <summary>The name of the readiness health check.</summary>
    public const string CheckName = "readiness";

    /// <summary>The tag that marks checks deciding whether the process takes traffic.</summary>
    public const string Tag = "ready";

    /// <summary>
    /// Adds the state (unless a host registered one first, with the requirements of its roles) and the check. Safe to
    /// call more than once: the gateway and the server host both call it.
    /// </summary>
    public static IServiceCollection AddReadiness(this IServiceCollection services, ReadinessRequirements requirements = ReadinessRequirements.All)
    {
        services.TryAddSingleton(new ReadinessState(requirements));
        services.AddHealthChecks();
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            if (options.Registrations.All(r => r.Name != CheckName))
            {
                options.Registrations.Add(new HealthCheckRegistration(
                    CheckName, sp => new ReadinessHealthCheck(sp.GetRequiredService<ReadinessState>()), failureStatus: null, tags: [Tag]));
            }
        });
        return services;
    }
}
