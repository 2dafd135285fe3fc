using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Qwen2VL.Engine.Tests.Support;
using Qwen2VL.Gateway.Health;
using Qwen2VL.Server.Health;
using Qwen2VL.Server.Tests.Telemetry;

namespace Qwen2VL.Server.Tests.Health;

/// <summary>The probes over a real host. Same collection as the metric tests: they share process-wide meters.</summary>
[Collection(TinyModelCollection.Name)]
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Ready_ModelLoadedThenPipelineRegistered_FlipsFrom503To200()
    {
        await using var host = await TelemetryTestHost.StartAsync();
        var state = host.Services.GetRequiredService<ReadinessState>();

        var before = await host.Client.GetAsync(HealthEndpoints.ReadyPath);
        state.SetModelLoaded();
        var modelOnly = await host.Client.GetAsync(HealthEndpoints.ReadyPath);
        state.SetCompletePipelines(1);
        var ready = await host.Client.GetAsync(HealthEndpoints.ReadyPath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, modelOnly.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_PipelinesDropToZero_Returns503Again()
    {
        await using var host = await TelemetryTestHost.StartAsync();
        var state = host.Services.GetRequiredService<ReadinessState>();
        state.SetModelLoaded();
        state.SetCompletePipelines(2);

        state.SetCompletePipelines(0);
        var response = await host.Client.GetAsync(HealthEndpoints.ReadyPath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Live_NotReady_Returns200()
    {
        await using var host = await TelemetryTestHost.StartAsync();

        var response = await host.Client.GetAsync(HealthEndpoints.LivePath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(host.Services.GetRequiredService<ReadinessState>().IsReady);
    }
}
