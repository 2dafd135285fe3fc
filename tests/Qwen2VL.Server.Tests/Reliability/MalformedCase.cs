using System.Text;
using Qwen2VL.Server.Tests.EndToEnd;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>One malformed request and the OpenAI-style error it must get.</summary>
/// <param name="Name">Names the case in test output.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Type">The error body's <c>type</c>.</param>
/// <param name="Code">The error body's <c>code</c>, when the case pins it.</param>
/// <param name="Build">Makes the request (relative URI).</param>
public sealed record MalformedCase(string Name, int Status, string Type, string? Code, Func<HttpRequestMessage> Build)
{
    public const string Invalid = "invalid_request_error";

    /// <summary>A POST to /v1/chat/completions with <paramref name="body"/> as JSON, by tenant a unless told.</summary>
    public static MalformedCase Post(string name, string body, int status = 400, string? code = null, string type = Invalid,
        string? key = EmbeddedServer.ApiKey, Action<HttpRequestMessage>? adjust = null) =>
        Post(name, Encoding.UTF8.GetBytes(body), status, code, type, key, adjust);

    public static MalformedCase Post(string name, byte[] body, int status, string? code, string type = Invalid,
        string? key = EmbeddedServer.ApiKey, Action<HttpRequestMessage>? adjust = null) =>
        new(name, status, type, code, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            if (key is not null)
            {
                request.Headers.Authorization = new("Bearer", key);
            }

            adjust?.Invoke(request);
            return request;
        });

    public override string ToString() => Name;
}
