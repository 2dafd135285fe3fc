using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Http;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Server.Health;
using Qwen2VL.Server.Telemetry;

namespace Qwen2VL.Server.Tests.Telemetry;

/// <summary>
/// A Kestrel server on loopback with the server's telemetry and health wiring and the OpenAI routes over
/// <see cref="FixedChatBackend"/>: what a server role composes, minus the cluster.
/// </summary>
public sealed class TelemetryTestHost : IAsyncDisposable
{
    public const string ApiKey = "sk-telemetry-test";
    public const string Tenant = "tenant-telemetry";

    private TelemetryTestHost(WebApplication app, Uri address)
    {
        App = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<TelemetryTestHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddQwen2VLTelemetry(o => o.Role = "test");
        builder.Services.AddQwen2VLHealthChecks();
        builder.Services.AddSingleton<IChatBackend, FixedChatBackend>();
        builder.Services.AddSingleton<ITenantResolver>(new OneTenant());
        builder.Services.AddSingleton(new GatewayAuthOptions());
        builder.Services.AddSingleton<TenantAuthenticator>();
        builder.Services.AddSingleton(new ChatRequestLimits());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ChatCompletionsEndpoint>();
        var app = builder.Build();
        app.MapQwen2VLMetrics();
        app.MapQwen2VLHealth();
        app.MapOpenAiApi();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TelemetryTestHost(app, new Uri(address));
    }

    /// <summary>Posts a one-message chat completion as the test tenant.</summary>
    public async Task<HttpResponseMessage> ChatAsync(string message, string? sessionId = null)
    {
        string body = $$"""{"model":"qwen2-vl-tiny","messages":[{"role":"user","content":"{{message}}"}],"max_tokens":8,"temperature":0}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        if (sessionId is not null)
        {
            request.Headers.Add(ChatCompletionsEndpoint.SessionHeader, sessionId);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private sealed class OneTenant : ITenantResolver
    {
        public ValueTask<string?> ResolveAsync(string apiKey, CancellationToken cancellationToken) =>
            ValueTask.FromResult(apiKey == ApiKey ? Tenant : null);
    }
}
