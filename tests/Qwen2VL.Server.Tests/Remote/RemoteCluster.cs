using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>
/// The production topology on loopback: one <c>gateway,silo</c> process without a model, and worker processes
/// (<c>--role worker</c>) that join it as Orleans clients and serve the worker gRPC API on their own ports. Every
/// process serves the tiny fixture checkpoint in float32 so greedy output can be compared with the golden tokens.
/// </summary>
public sealed class RemoteCluster : IAsyncDisposable
{
    public const string ApiKey = "sk-remote-tenant-key";
    public const string ModelName = "tiny";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ServerProcess> _workers = new();
    private readonly int _gatewayPort;

    private RemoteCluster(ServerProcess silo, int httpPort, int grpcPort, int gatewayPort)
    {
        Silo = silo;
        _gatewayPort = gatewayPort;
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
    }

    public ServerProcess Silo { get; }

    public IReadOnlyList<ServerProcess> Workers => _workers;

    public Uri HttpAddress { get; }

    public Uri GrpcAddress { get; }

    /// <summary>Starts the gateway and silo, then <paramref name="workers"/> workers, and waits until every worker is registered.</summary>
    public static async Task<RemoteCluster> StartAsync(int workers)
    {
        int http = FreePort(), grpc = FreePort(), gateway = FreePort();
        var silo = ServerProcess.Start("gateway,silo", Common(http, gateway).Concat(
        [
            "--role", "gateway,silo", "--grpc-port", Port(grpc), "--silo-port", Port(FreePort()), "--api-key", $"tenant-a:{ApiKey}",
        ]));
        var cluster = new RemoteCluster(silo, http, grpc, gateway);
        try
        {
            await WaitForHttpAsync(silo, new Uri(cluster.HttpAddress, "/health/live"));
            for (int i = 0; i < workers; i++)
            {
                cluster.StartWorker();
            }

            foreach (var worker in cluster._workers)
            {
                await worker.WaitForLineAsync("registered at http://127.0.0.1:", StartTimeout);
            }

            await WaitForHttpAsync(silo, new Uri(cluster.HttpAddress, "/health/ready"));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The worker whose log shows it received request <paramref name="requestId"/>, waiting for the log line.</summary>
    public async Task<ServerProcess> WorkerServingAsync(string requestId, IEnumerable<ServerProcess>? among = null)
    {
        var candidates = (among ?? _workers).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (candidates.FirstOrDefault(w => w.HasLine($"generating request {requestId} ")) is { } worker)
            {
                return worker;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"no worker logged request {requestId}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Silo.DisposeAsync();
    }

    private void StartWorker()
    {
        int index = _workers.Count + 1;
        _workers.Add(ServerProcess.Start($"worker-{index}", Common(FreePort(), _gatewayPort).Concat(
        [
            "--role", "worker", "--worker-port", Port(FreePort()), "--dtype", "float32", "--threads", "1",
        ])));
    }

    private static IEnumerable<string> Common(int httpPort, int gatewayPort) =>
    [
        "--model", TestPaths.Checkpoint, "--served-model-name", ModelName, "--host", "127.0.0.1",
        "--http-port", Port(httpPort), "--gateway-port", Port(gatewayPort),
    ];

    /// <summary>Waits until <paramref name="address"/> answers 200; fails with the process's output when it exits or time runs out.</summary>
    internal static async Task WaitForHttpAsync(ServerProcess process, Uri address)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(address);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{address} did not answer 200 (process exited: {process.HasExited}); {process.Name} wrote:\n{process.Output}");
            }

            await Task.Delay(100);
        }
    }

    internal static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
