using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Media;
using Qwen2VL.Grains.Idempotency;
using Qwen2VL.Grains.Sessions;
using Qwen2VL.Grains.Tenants;
using Qwen2VL.Grains.Workers;

namespace Qwen2VL.Grains.Hosting;

/// <summary>Registers what the grains need in a silo.</summary>
public static class ControlPlaneServiceCollectionExtensions
{
    /// <summary>
    /// Adds the grains' options, the system clock and, unless one is registered, the in-memory media store. The host
    /// must also register an <c>IGenerationBackend</c> and the grain storage named <see cref="GrainStorage.Name"/>.
    /// </summary>
    public static IServiceCollection AddControlPlaneGrains(this IServiceCollection services)
    {
        services.AddOptions<SessionGrainOptions>();
        services.AddOptions<WorkerDirectoryOptions>();
        services.AddOptions<TenantGrainOptions>();
        services.AddOptions<IdempotencyOptions>();
        services.TryAddSingleton<IMediaStore, InMemoryMediaStore>();
        services.TryAddKeyedSingleton(ControlPlaneClock.ServiceKey, TimeProvider.System);
        return services;
    }
}
