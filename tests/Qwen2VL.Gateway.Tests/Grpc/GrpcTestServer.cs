using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Grpc;
using Qwen2VL.Gateway.Health;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Tests.Http;

namespace Qwen2VL.Gateway.Tests.Grpc;

/// <summary>
/// A real Kestrel server on a loopback HTTP/2-only port (gRPC without TLS needs prior-knowledge HTTP/2) serving the
/// gRPC API over a scripted backend, with sessions kept in memory, and a real gRPC client to it.
/// </summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    public const string TenantAKey = "sk-test-tenant-a";
    public const string TenantBKey = "sk-test-tenant-b";

    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, Uri address, InMemorySessionDirectory sessions)
    {
        _app = app;
        Sessions = sessions;
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        Client = new ChatService.ChatServiceClient(Channel);
    }

    public GrpcChannel Channel { get; }

    public ChatService.ChatServiceClient Client { get; }

    /// <summary>The session directory port, to check what the service stored.</summary>
    public InMemorySessionDirectory Sessions { get; }

    public ReadinessState Readiness => _app.Services.GetRequiredService<ReadinessState>();

    /// <param name="readiness">What the process must have to be ready, as a host with these roles registers it.</param>
    public static async Task<GrpcTestServer> StartAsync(
        ScriptedBackend backend, Action<GrpcApiOptions>? configure = null, ReadinessRequirements readiness = ReadinessRequirements.All)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var sessions = new InMemorySessionDirectory(TimeProvider.System);
        builder.Services.AddSingleton<ISessionDirectory>(sessions);
        builder.Services.AddSingleton<IChatBackend>(new SessionHistoryBackend(backend, sessions));
        builder.Services.AddSingleton<ITenantResolver>(new StaticTenants());
        builder.Services.AddSingleton(new GatewayAuthOptions());
        builder.Services.AddSingleton<TenantAuthenticator>();
        builder.Services.AddSingleton(new ChatRequestLimits { MaxImagesPerRequest = 4 });
        builder.Services.AddReadiness(readiness);
        builder.Services.AddQwen2VLGrpc(configure);
        var app = builder.Build();
        app.MapQwen2VLGrpc();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GrpcTestServer(app, new Uri(address), sessions);
    }

    /// <summary>Call options carrying an API key, as clients send it.</summary>
    public static CallOptions As(string apiKey, Metadata? extra = null, CancellationToken cancellationToken = default)
    {
        var headers = new Metadata { { "authorization", "Bearer " + apiKey } };
        foreach (var entry in extra ?? new Metadata())
        {
            headers.Add(entry);
        }

        return new CallOptions(headers, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class StaticTenants : ITenantResolver
    {
        public ValueTask<string?> ResolveAsync(string apiKey, CancellationToken cancellationToken) => ValueTask.FromResult(apiKey switch
        {
            TenantAKey => "tenant-a",
            TenantBKey => "tenant-b",
            _ => null,
        });
    }
}
