using System.Globalization;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;

namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>
/// A server started for a suite on free loopback ports, serving one checkpoint in bfloat16 (the server's default) with
/// the given LibTorch threads: either the production topology (a <c>gateway,silo</c> process and a <c>worker</c>
/// process that talk gRPC) or the embedded default, optionally as a pipeline of stage processes. Tenant limits are
/// raised so the suite measures the server, not its throttling.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string ModelName = "bench";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["Qwen2VL__TenantDefaults__RequestsPerMinute"] = "100000",
        ["Qwen2VL__TenantDefaults__TokensPerMinute"] = "100000000",
        ["Qwen2VL__TenantDefaults__ConcurrentStreams"] = "64",
    };

    private readonly List<ServerProcess> _processes = new();
    private readonly GrpcChannel _channel;

    private BenchServer(int httpPort, int grpcPort)
    {
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}");
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Grpc = new ChatService.ChatServiceClient(_channel);
    }

    /// <summary>The gateway's HTTP address (OpenAI API).</summary>
    public Uri HttpAddress { get; }

    /// <summary>A client of the gateway's public gRPC API.</summary>
    public ChatService.ChatServiceClient Grpc { get; }

    /// <summary>Gateway and silo in one process, the model in a worker process it calls over gRPC.</summary>
    public static async Task<BenchServer> StartWithRemoteWorkerAsync(string checkpoint, int threads, CancellationToken cancellationToken)
    {
        int http = LoopbackPorts.Free(), grpc = LoopbackPorts.Free(), gateway = LoopbackPorts.Free();
        var server = new BenchServer(http, grpc);
        try
        {
            server.Start("gateway,silo", [.. Common(checkpoint, threads, http, gateway), "--role", "gateway,silo", "--grpc-port", Number(grpc), "--silo-port", Number(LoopbackPorts.Free())]);
            server.Start("worker", [.. Common(checkpoint, threads, LoopbackPorts.Free(), gateway), "--role", "worker", "--worker-port", Number(LoopbackPorts.Free())]);
            await server.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Every role in one process; with <paramref name="pipelineStages"/> above 1, the later stages in child processes.</summary>
    public static async Task<BenchServer> StartEmbeddedAsync(string checkpoint, int threads, int pipelineStages, CancellationToken cancellationToken)
    {
        int http = LoopbackPorts.Free(), grpc = LoopbackPorts.Free(), gateway = LoopbackPorts.Free();
        var server = new BenchServer(http, grpc);
        try
        {
            server.Start($"{pipelineStages}-stage", [.. Common(checkpoint, threads, http, gateway), "--grpc-port", Number(grpc), "--silo-port", Number(LoopbackPorts.Free()),
                "--pipeline-stages", Number(pipelineStages)]);
            await server.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        foreach (var process in _processes)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Start(string name, IEnumerable<string> arguments) => _processes.Add(ServerProcess.Start(name, arguments, Environment));

    // The first process serves HTTP; it is ready once the model is loaded and a complete pipeline registered.
    private Task WaitReadyAsync(CancellationToken cancellationToken) =>
        _processes[0].WaitForHttpAsync(new Uri(HttpAddress, "/health/ready"), StartTimeout, cancellationToken);

    private static string[] Common(string checkpoint, int threads, int httpPort, int gatewayPort) =>
    [
        "--model", checkpoint, "--served-model-name", ModelName, "--host", "127.0.0.1", "--dtype", "bfloat16", "--threads", Number(threads),
        "--http-port", Number(httpPort), "--gateway-port", Number(gatewayPort),
    ];

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
