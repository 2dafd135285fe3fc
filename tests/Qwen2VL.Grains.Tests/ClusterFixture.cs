using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Hosting;
using Qwen2VL.Grains.Media;
using Qwen2VL.Grains.Tests.Fakes;

namespace Qwen2VL.Grains.Tests;

/// <summary>
/// A two-silo in-process cluster with memory grain storage, shared by the tests of <see cref="ClusterCollection"/>.
/// Both silos use the same scripted backend, manual clock and media store, so tests steer them from outside.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The fake pipelines.</summary>
    public ScriptedGenerationBackend Backend { get; } = new();

    /// <summary>The grains' clock (Orleans keeps its own).</summary>
    public ManualClock Clock { get; } = new();

    /// <summary>The media store the sessions check references against.</summary>
    public InMemoryMediaStore Media { get; } = new();

    /// <summary>The cluster.</summary>
    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>The cluster client's grain factory.</summary>
    public IGrainFactory Grains => Cluster.Client;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.Services.AddKeyedSingleton<TimeProvider>(ControlPlaneClock.ServiceKey, Clock);
            silo.Services.AddSingleton<IMediaStore>(Media);
            silo.Services.AddSingleton<IGenerationBackend>(Backend);
            silo.Services.AddControlPlaneGrains();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>The tests that share one <see cref="ClusterFixture"/> (run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "cluster";
}
