namespace Qwen2VL.Gateway.OpenAi;

/// <summary>
/// A request the OpenAI-compatible API refuses, carrying what its error body needs:
/// <c>{"error": {"message", "type", "param", "code"}}</c> with the HTTP status OpenAI and vLLM use.
/// </summary>
public sealed class OpenAiException : Exception
{
    public OpenAiException(int statusCode, string type, string message, string? param = null, string? code = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Type = type;
        Param = param;
        Code = code;
    }

    public int StatusCode { get; }

    /// <summary>invalid_request_error, authentication_error, permission_error, not_found_error, rate_limit_error, server_error, ...</summary>
    public string Type { get; }

    /// <summary>The request field at fault, in JSON path form (<c>messages[2].content[0].image_url.url</c>), when there is one.</summary>
    public string? Param { get; }

    public string? Code { get; }

    /// <summary>Seconds a client should wait before retrying (429 and 503), sent as <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static OpenAiException BadRequest(string message, string? param = null, string? code = null) =>
        new(400, "invalid_request_error", message, param, code);

    public static OpenAiException NotFound(string message, string? param = null) =>
        new(404, "not_found_error", message, param, "not_found");
}
