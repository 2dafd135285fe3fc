using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Qwen2VL.Engine.Pipeline;
using Qwen2VL.Model;
using Qwen2VL.Model.Stages;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.Service;
using Qwen2VL.Worker.V1;

namespace Qwen2VL.Worker.Hosting;

/// <summary>
/// A running stage process: loads decoder layers [a, b) of a checkpoint and serves them over the worker API on an
/// HTTP/2-only endpoint (gRPC without TLS needs prior-knowledge HTTP/2; a plaintext HTTP/1.1-and-2 endpoint would
/// answer HTTP/1.1 only).
/// </summary>
public sealed class StageHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Qwen2VLStage _stage;

    private StageHost(WebApplication app, Qwen2VLStage stage, string address)
    {
        _app = app;
        _stage = stage;
        Address = address;
    }

    /// <summary>The bound address, http://ip:port.</summary>
    public string Address { get; }

    /// <summary>The served stage and its budget.</summary>
    public StageServer Server => _app.Services.GetRequiredService<StageServer>();

    /// <summary>Parses <paramref name="args"/>, serves until <paramref name="cancellationToken"/> or SIGTERM, and returns an exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        StageHostOptions options;
        try
        {
            options = StageHostCommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"stage host: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        await using var host = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        // One line on standard output, for scripts and tests that start the stage on port 0; logs go to standard error.
        Console.WriteLine($"stage {host.Server.Host.Stage.Layers} listening on {host.Address}");
        await host._app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Loads the stage and starts serving it.</summary>
    public static async Task<StageHost> StartAsync(StageHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Layers.Start == 0)
        {
            throw new ArgumentException($"layers {options.Layers} start at 0: the first stage is the driver's, not a stage host's");
        }

        TorchRuntime.SetThreads(options.Threads);
        var placement = new ModelPlacement(TorchRuntime.ParseDType(options.DType), TorchRuntime.ParseDevice(options.Device));
        var stage = Qwen2VLStage.Load(options.ModelDirectory, placement, options.Layers);
        try
        {
            var app = Build(options, stage);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            string address = app.Urls.First();
            return new StageHost(app, stage, address);
        }
        catch
        {
            stage.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stage.Dispose();
    }

    private static WebApplication Build(StageHostOptions options, Qwen2VLStage stage)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Bind, options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            // A Forward stream lives as long as the pipeline and carries many steps' tensors, and sits idle between
            // requests: no body size cap, no minimum data rate, and windows that fit a whole step's message.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.Http2.InitialConnectionWindowSize = WorkerMessageLimits.Http2WindowBytes;
            kestrel.Limits.Http2.InitialStreamWindowSize = WorkerMessageLimits.Http2WindowBytes;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
        });
        var hosted = new HostedStage(stage, options.KvCacheTokens, options.MaxContextTokens);
        var serverOptions = new StageServerOptions
        {
            ModelId = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.ModelDirectory))),
            MaxMessageBytes = options.MaxMessageBytes,
            Tail = new GrpcPipelineTailOptions { StepTimeout = options.StepTimeout },
        };
        builder.Services.AddSingleton(services => new StageServer(hosted, options.NextStage, serverOptions, services.GetRequiredService<ILogger<StageServer>>()));
        // The host listens only after its layers are loaded, so a stage that answers is a stage that serves; the
        // standard health service lets probes and tools check the gRPC server itself rather than an open port.
        builder.Services.AddGrpcHealthChecks(health => health.Services.Map(WorkerService.Descriptor.FullName, _ => true))
            .AddCheck("stage", () => HealthCheckResult.Healthy($"layers {stage.Layers} loaded"));
        var app = builder.Build();
        app.MapGrpcService<StageService>();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
