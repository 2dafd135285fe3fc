using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Http;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Server.Frontend;

namespace Qwen2VL.Server.Tenants;

/// <summary><c>GET /v1/usage</c>: the calling tenant's usage counters and limits, read from its tenant grain.</summary>
public static class UsageEndpoint
{
    public const string Route = "/v1/usage";

    public static IEndpointRouteBuilder MapTenantUsage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, HandleAsync);
        return routes;
    }

    private static async Task HandleAsync(HttpContext context, TenantAuthenticator authenticator, IGrainFactory grains, StateStoreGate gate, ControlPlaneRetry retry)
    {
        try
        {
            string tenantId = await authenticator.AuthenticateAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
            gate.EnsureAvailable();
            var tenant = grains.GetTenant(tenantId);
            var usage = await retry.RunAsync("reading usage", ct => tenant.GetUsageAsync().WaitAsync(GrainTenantLimiter.CallTimeout, ct), context.RequestAborted).ConfigureAwait(false);
            var limits = await retry.RunAsync("reading limits", ct => tenant.GetLimitsAsync().WaitAsync(GrainTenantLimiter.CallTimeout, ct), context.RequestAborted).ConfigureAwait(false);
            var body = new UsageWire("usage", tenantId, usage.Requests, usage.PromptTokens, usage.CompletionTokens, usage.CachedPromptTokens,
                new CurrentMinuteWire(usage.RequestsLastMinute, usage.TokensLastMinute, usage.OpenStreams),
                new LimitsWire(limits.RequestsPerMinute, limits.TokensPerMinute, limits.ConcurrentStreams, limits.MaxImagesPerRequest, limits.MaxContextTokens));
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, body, UsageJsonContext.Default.UsageWire, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OpenAiException e)
        {
            await OpenAiErrorWriter.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (ChatBackendException e)
        {
            await OpenAiErrorWriter.WriteAsync(context, OpenAiErrorWriter.FromBackend(e)).ConfigureAwait(false);
        }
        catch (Exception e) when (ControlPlaneFailures.Translate(e) is { } translated)
        {
            await OpenAiErrorWriter.WriteAsync(context, OpenAiErrorWriter.FromBackend(translated)).ConfigureAwait(false);
        }
    }
}
