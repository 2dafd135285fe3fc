using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Http;

/// <summary>Maps the OpenAI-compatible routes.</summary>
public static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/chat/completions", (HttpContext context, ChatCompletionsEndpoint endpoint) => endpoint.HandleAsync(context));
        routes.MapGet("/v1/models", ListModelsAsync);
        routes.MapGet("/v1/models/{id}", GetModelAsync);
        return routes;
    }

    private static async Task ListModelsAsync(HttpContext context, IChatBackend backend, TenantAuthenticator authenticator)
    {
        await WithErrorsAsync(context, async () =>
        {
            await authenticator.AuthenticateAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
            var models = await backend.ListModelsAsync(context.RequestAborted).ConfigureAwait(false);
            var body = new ModelListWire("list", models.Select(ToWire).ToList());
            await JsonAsync(context, body, OpenAiJsonContext.Relaxed.ModelListWire).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task GetModelAsync(HttpContext context, string id, IChatBackend backend, TenantAuthenticator authenticator)
    {
        await WithErrorsAsync(context, async () =>
        {
            await authenticator.AuthenticateAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
            var models = await backend.ListModelsAsync(context.RequestAborted).ConfigureAwait(false);
            var model = models.FirstOrDefault(m => m.Id == id)
                ?? throw OpenAiException.NotFound($"the model '{id}' does not exist", "model");
            await JsonAsync(context, ToWire(model), OpenAiJsonContext.Relaxed.ModelWire).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static ModelWire ToWire(ServedModel m) => new(m.Id, "model", m.Created.ToUnixTimeSeconds(), "qwen2vl-cluster", m.MaxContextTokens);

    private static async Task JsonAsync<T>(HttpContext context, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, type, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WithErrorsAsync(HttpContext context, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (OpenAiException e)
        {
            await OpenAiErrorWriter.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (ChatBackendException e)
        {
            await OpenAiErrorWriter.WriteAsync(context, OpenAiErrorWriter.FromBackend(e)).ConfigureAwait(false);
        }
    }
}
