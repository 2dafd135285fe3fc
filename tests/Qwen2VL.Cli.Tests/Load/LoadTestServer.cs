using System.Globalization;
using Qwen2VL.Cli.Bench.Cluster;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Cli.Tests.Load;

/// <summary>
/// The real server executable in its embedded default (every role in one process) on free loopback ports, serving the
/// tiny fixture checkpoint with one API key, and tenant limits high enough that a short load run is never throttled.
/// </summary>
public sealed class LoadTestServer : IAsyncLifetime
{
    public const string ApiKey = "sk-load-test";
    private ServerProcess? _process;

    public Uri HttpAddress { get; } = Loopback(LoopbackPorts.Free());

    public Uri GrpcAddress { get; } = Loopback(LoopbackPorts.Free());

    /// <summary>The server's process id, to read its resident memory from /proc.</summary>
    public int ProcessId => _process!.Id;

    public async Task InitializeAsync()
    {
        _process = ServerProcess.Start("load test",
        [
            "--model", TestPaths.Checkpoint, "--served-model-name", "tiny", "--dtype", "float32", "--threads", "1",
            "--http-port", Port(HttpAddress.Port), "--grpc-port", Port(GrpcAddress.Port),
            "--silo-port", Port(LoopbackPorts.Free()), "--gateway-port", Port(LoopbackPorts.Free()),
            "--api-key", $"tenant-load:{ApiKey}",
        ], new Dictionary<string, string>
        {
            ["Qwen2VL__TenantDefaults__RequestsPerMinute"] = "100000",
            ["Qwen2VL__TenantDefaults__TokensPerMinute"] = "100000000",
            ["Qwen2VL__TenantDefaults__ConcurrentStreams"] = "64",
        });
        await _process.WaitForHttpAsync(new Uri(HttpAddress, "/health/ready"), TimeSpan.FromSeconds(90), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port}");

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
