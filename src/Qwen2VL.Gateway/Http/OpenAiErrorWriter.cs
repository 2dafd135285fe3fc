using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Http;

/// <summary>Turns failures into OpenAI-style error bodies with the status codes OpenAI and vLLM use.</summary>
public static class OpenAiErrorWriter
{
    public static OpenAiException FromBackend(ChatBackendException e)
    {
        var (status, type) = e.Failure switch
        {
            ChatFailure.InvalidRequest => (400, "invalid_request_error"),
            ChatFailure.ContextTooLong => (400, "invalid_request_error"),
            ChatFailure.NotFound => (404, "not_found_error"),
            ChatFailure.AlreadyExists => (409, "invalid_request_error"),
            ChatFailure.PermissionDenied => (403, "permission_error"),
            ChatFailure.RateLimited => (429, "rate_limit_error"),
            ChatFailure.Unavailable => (503, "service_unavailable_error"),
            _ => (500, "server_error"),
        };
        string? code = e.Code ?? (e.Failure == ChatFailure.ContextTooLong ? "context_length_exceeded" : null);
        return new OpenAiException(status, type, e.Message, e.Param, code, e)
        {
            RetryAfterSeconds = e.RetryAfter is { } retry ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : null,
        };
    }

    public static ErrorBodyWire Body(OpenAiException e) => new(new ErrorWire(e.Message, e.Type, e.Param, e.Code));

    /// <summary>Writes the error as the whole response; only possible before anything else was sent.</summary>
    public static async Task WriteAsync(HttpContext context, OpenAiException e)
    {
        context.Response.StatusCode = e.StatusCode;
        if (e.RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, Body(e), OpenAiJsonContext.Relaxed.ErrorBodyWire, context.RequestAborted)
            .ConfigureAwait(false);
    }
}
