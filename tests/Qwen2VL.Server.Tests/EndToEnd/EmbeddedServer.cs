using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Qwen2VL.Server.Hosting;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>
/// The real server in its embedded default (every role in one process: silo, gateway, worker) on free loopback ports,
/// serving the tiny fixture checkpoint in float32 so greedy output can be compared with the golden tokens.
/// </summary>
public class EmbeddedServer : IAsyncLifetime
{
    private WebApplication? _app;

    public EmbeddedServer()
        : this(TestPaths.Checkpoint)
    {
    }

    /// <param name="checkpoint">The checkpoint folder to serve.</param>
    protected EmbeddedServer(string checkpoint) => Checkpoint = checkpoint;

    /// <summary>The checkpoint folder the server serves.</summary>
    public string Checkpoint { get; }

    public const string ApiKey = "sk-tenant-a-key";
    public const string OtherTenantKey = "sk-tenant-b-key";

    public int HttpPort { get; } = FreePort();

    public int GrpcPort { get; } = FreePort();

    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}");

    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public string ModelName => "tiny";

    /// <summary>Errors the server logged, for failure messages of tests that see a 5xx.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new();

    public virtual async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Qwen2VL:Model"] = Checkpoint,
            ["Qwen2VL:ServedModelName"] = ModelName,
            ["Qwen2VL:Dtype"] = "float32",
            ["Qwen2VL:Threads"] = "1",
            ["Qwen2VL:HttpPort"] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Qwen2VL:GrpcPort"] = GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Qwen2VL:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Qwen2VL:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Qwen2VL:ApiKeys:0"] = $"tenant-a:{ApiKey}",
            ["Qwen2VL:ApiKeys:1"] = $"tenant-b:{OtherTenantKey}",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Reliability.TestTenants.Settings(firstKeyIndex: 2))
        {
            settings[key] = value;
        }

        _app = ServerHost.Build(Array.Empty<string>(), settings, logging => logging.AddProvider(new ErrorLogRecorder(Errors)));
        await _app.StartAsync();
        using var http = new HttpClient { BaseAddress = HttpAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the embedded server did not become ready within 60 s");
            }

            await Task.Delay(100);
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class EmbeddedServerCollection : ICollectionFixture<EmbeddedServer>
{
    public const string Name = "embedded server";
}
