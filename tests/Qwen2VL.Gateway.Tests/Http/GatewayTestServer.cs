using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Http;
using Qwen2VL.Gateway.Limits;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Tests.Http;

/// <summary>A real Kestrel server on a loopback port serving the OpenAI routes over a given backend.</summary>
public sealed class GatewayTestServer : IAsyncDisposable
{
    public const string ApiKey = "sk-test-tenant-a";

    private readonly WebApplication _app;

    private GatewayTestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="tenantLimiter">Tenant limits to apply; none when null.</param>
    public static async Task<GatewayTestServer> StartAsync(IChatBackend backend, bool allowAnonymous = false, ITenantLimiter? tenantLimiter = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(backend);
        builder.Services.AddSingleton<ITenantResolver>(new StaticTenants());
        builder.Services.AddSingleton(new GatewayAuthOptions { AllowAnonymous = allowAnonymous });
        builder.Services.AddSingleton<TenantAuthenticator>();
        builder.Services.AddSingleton(new ChatRequestLimits { MaxImagesPerRequest = 4 });
        builder.Services.AddSingleton(TimeProvider.System);
        if (tenantLimiter is not null)
        {
            builder.Services.AddSingleton(tenantLimiter);
        }

        builder.Services.AddSingleton<ChatCompletionsEndpoint>();
        var app = builder.Build();
        app.MapOpenAiApi();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayTestServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class StaticTenants : ITenantResolver
    {
        public ValueTask<string?> ResolveAsync(string apiKey, CancellationToken cancellationToken) =>
            ValueTask.FromResult(apiKey == ApiKey ? "tenant-a" : null);
    }
}
