using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Qwen2VL.Server.Hosting;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>
/// The whole server composed on a private Redis (clustering, grain state, media), so tests can take Redis away and
/// bring it back. One tenant, key <see cref="ApiKey"/>.
/// </summary>
public sealed class RedisBackedServer : IAsyncLifetime
{
    public const string ApiKey = "sk-redis-tenant-key";

    private WebApplication? _app;

    public RedisTestServer Redis { get; } = RedisTestServer.StartPrivate();

    public int HttpPort { get; } = FreePort();

    public int GrpcPort { get; } = FreePort();

    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}");

    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Qwen2VL:Model"] = TestPaths.Checkpoint,
            ["Qwen2VL:ServedModelName"] = "tiny",
            ["Qwen2VL:Dtype"] = "float32",
            ["Qwen2VL:Threads"] = "1",
            ["Qwen2VL:Redis"] = Redis.Endpoint,
            ["Qwen2VL:ClusterId"] = "reliability-" + Guid.NewGuid().ToString("n")[..8],
            ["Qwen2VL:HttpPort"] = HttpPort.ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:GrpcPort"] = GrpcPort.ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Qwen2VL:ApiKeys:0"] = $"tenant-redis:{ApiKey}",
            ["Logging:LogLevel:Default"] = "None",
        };
        _app = ServerHost.Build(Array.Empty<string>(), settings);
        await _app.StartAsync();
        using var http = new HttpClient { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the Redis-backed server did not become ready within 60 s");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }

        Redis.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisBackedServerCollection : ICollectionFixture<RedisBackedServer>
{
    public const string Name = "Redis-backed server";
}
