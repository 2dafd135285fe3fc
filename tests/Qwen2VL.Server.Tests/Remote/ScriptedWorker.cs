using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen2VL.Worker.V1;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>
/// A fake worker gRPC endpoint in this process: <see cref="Generate"/> decides what each Generate call does, so the
/// silo's gRPC backend can be tested against every status a worker (or a broken connection) produces.
/// </summary>
public sealed class ScriptedWorker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedWorker(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>http://127.0.0.1:port.</summary>
    public string Address { get; }

    /// <summary>What Generate does: writes events, throws statuses, or waits.</summary>
    public Func<GenerateRequest, IServerStreamWriter<TokenEvent>, ServerCallContext, Task> Generate { get; set; } = (_, _, _) => Task.CompletedTask;

    /// <summary>The requests received, in order.</summary>
    public List<GenerateRequest> Requests { get; } = new();

    /// <summary>Completes when a call's cancellation token fires (the caller went away).</summary>
    public TaskCompletionSource CallCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<ScriptedWorker> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var holder = new Holder();
        builder.Services.AddSingleton(holder);
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        var worker = new ScriptedWorker(app, app.Urls.First());
        holder.Worker = worker;
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed class Holder
    {
        public ScriptedWorker? Worker { get; set; }
    }

    private sealed class Service : WorkerService.WorkerServiceBase
    {
        private readonly ScriptedWorker _worker;

        public Service(Holder holder) => _worker = holder.Worker!;

        public override async Task Generate(GenerateRequest request, IServerStreamWriter<TokenEvent> responseStream, ServerCallContext context)
        {
            _worker.Requests.Add(request);
            using var registration = context.CancellationToken.Register(() => _worker.CallCancelled.TrySetResult());
            await _worker.Generate(request, responseStream, context);
        }
    }
}
