using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime.Placement;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>
/// The test's own Orleans client in a cluster of server processes: it sees which silos are active and activates a
/// session grain on a chosen silo (Orleans' placement hint), so a failover test knows what a kill takes away.
/// </summary>
public sealed class ClusterInspector : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterInspector(IHost host)
    {
        _host = host;
    }

    private IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    private IManagementGrain Management => Client.GetGrain<IManagementGrain>(0);

    public static async Task<ClusterInspector> ConnectAsync(string redisEndpoint, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(c =>
            {
                c.ClusterId = clusterId;
                c.ServiceId = "qwen2vl";
            });
            client.UseRedisClustering(redisEndpoint);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new ClusterInspector(host);
    }

    /// <summary>Waits until the silo listening on <paramref name="siloPort"/> is an active member of the cluster.</summary>
    public async Task<SiloAddress> WaitForActiveSiloAsync(int siloPort, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var hosts = await Management.GetHosts(onlyActive: true);
            if (hosts.Keys.FirstOrDefault(s => s.Endpoint.Port == siloPort) is { } silo)
            {
                return silo;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no active silo on port {siloPort} after {timeout.TotalSeconds:0} s; active: {string.Join(", ", hosts.Keys)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Activates the (not yet created) session grain on <paramref name="silo"/>, so that the server's calls to it land
    /// there, and returns where the cluster says it lives.
    /// </summary>
    public async Task<SiloAddress?> ActivateSessionOnAsync(SiloAddress silo, string tenantId, string sessionId)
    {
        var session = Client.GetSession(tenantId, sessionId);
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            await session.GetAsync();
            throw new InvalidOperationException($"session {tenantId}/{sessionId} exists already; the test needs a new one");
        }
        catch (SessionNotFoundException)
        {
            // Expected: the activation exists, the session does not yet.
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }

        return await Management.GetActivationAddress(session);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _host.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // A client that cannot say goodbye in time is simply dropped.
        }

        _host.Dispose();
    }
}
