using System.Net;
using Qwen2VL.Server.Tests.Remote;
using Qwen2VL.Tests.Shared;
using static Qwen2VL.Server.Tests.Remote.RemoteCluster;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>
/// Silos on one private Redis, as real processes: a primary running every role, whose worker serves the worker gRPC
/// API on an advertised port so that a session grain on any silo reaches it, and secondary <c>--role silo</c>
/// processes that tests start and kill. The grains that are not under test (tenant, API key index, session index,
/// worker directory) are activated on the primary before any secondary joins, so only what a test places on a
/// secondary dies with it.
/// </summary>
public sealed class SiloFailoverCluster : IAsyncLifetime
{
    public const string ApiKey = "sk-silo-failover-key";
    public const string TenantId = "tenant-failover";
    public const string ModelName = "tiny";

    private readonly int _httpPort = FreePort();
    private readonly int _grpcPort = FreePort();
    private ServerProcess? _primary;

    public RedisTestServer Redis { get; } = RedisTestServer.StartPrivate();

    /// <summary>The Orleans cluster id both processes join under.</summary>
    public string ClusterId { get; } = "failover-" + Guid.NewGuid().ToString("n")[..8];

    public ServerProcess Primary => _primary ?? throw new InvalidOperationException("the cluster has not started");

    public Uri HttpAddress => new($"http://127.0.0.1:{_httpPort}");

    public Uri GrpcAddress => new($"http://127.0.0.1:{_grpcPort}");

    public async Task InitializeAsync()
    {
        int workerPort = FreePort();
        _primary = ServerProcess.Start("primary", Common(_httpPort, FreePort()).Concat(
        [
            "--role", "all", "--grpc-port", Port(_grpcPort), "--worker-port", Port(workerPort), "--advertise", $"127.0.0.1:{workerPort}",
            "--model", TestPaths.Checkpoint, "--served-model-name", ModelName, "--dtype", "float32", "--threads", "1",
            "--api-key", $"{TenantId}:{ApiKey}",
        ]), ProcessEnvironment());
        await WaitForHttpAsync(_primary, new Uri(HttpAddress, "/health/ready"));

        // Activates the tenant's grains, and the session index, while the primary is the only silo.
        using var http = ApiCalls.Client(HttpAddress, ApiKey);
        using var warmUp = await http.SendAsync(ApiCalls.Chat(
            """{"model": "tiny", "max_tokens": 2, "messages": [{"role": "user", "content": "warm up"}]}""", sessionId: "warm-up"));
        Assert.True(warmUp.StatusCode == HttpStatusCode.OK, $"the warm-up turn failed: {await warmUp.Content.ReadAsStringAsync()}");
    }

    /// <summary>Starts a <c>--role silo</c> process and waits until it answers its liveness probe.</summary>
    /// <returns>The process and its Orleans silo port, by which the cluster knows it.</returns>
    public async Task<(ServerProcess Silo, int SiloPort)> StartSecondaryAsync(string name)
    {
        int siloPort = FreePort(), httpPort = FreePort();
        var silo = ServerProcess.Start(name, Common(httpPort, FreePort()).Concat(["--role", "silo", "--silo-port", Port(siloPort)]), ProcessEnvironment());
        await WaitForHttpAsync(silo, new Uri($"http://127.0.0.1:{httpPort}/health/live"));
        return (silo, siloPort);
    }

    public async Task DisposeAsync()
    {
        if (_primary is not null)
        {
            await _primary.DisposeAsync();
        }

        Redis.Dispose();
    }

    private IEnumerable<string> Common(int httpPort, int gatewayPort) =>
    [
        "--host", "127.0.0.1", "--http-port", Port(httpPort), "--gateway-port", Port(gatewayPort), "--redis", Redis.Endpoint,
    ];

    private Dictionary<string, string> ProcessEnvironment() => new()
    {
        ["Qwen2VL__ClusterId"] = ClusterId,
        // The gateway's retries, for the test's output, and the turns a session stores, which tests wait for.
        ["Logging__LogLevel__Qwen2VL.Server.Frontend"] = "Warning",
        ["Logging__LogLevel__Qwen2VL.Grains"] = "Information",
    };
}
