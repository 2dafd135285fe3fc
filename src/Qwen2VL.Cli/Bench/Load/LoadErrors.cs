using System.ClientModel;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// Names the class of a failed request so the report can count each kind: the HTTP status with the OpenAI error code
/// (<c>http 429 too_many_concurrent_streams</c>), the gRPC status with the ErrorInfo reason
/// (<c>grpc ResourceExhausted TOO_MANY_CONCURRENT_STREAMS</c>), or the transport failure (<c>transport ConnectionError</c>).
/// </summary>
internal static class LoadErrors
{
    /// <summary>A stream that closed without a finish reason: the server broke it off (its error event is not surfaced by the SDK).</summary>
    public const string IncompleteStream = "stream ended without a finish reason";

    public static string Classify(Exception error) => error switch
    {
        ClientResultException { Status: 0 } e => Transport(e.InnerException ?? e),
        ClientResultException e => Join($"http {e.Status}", OpenAiCode(e)),
        RpcException e => Join($"grpc {e.StatusCode}", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason),
        _ => Transport(error),
    };

    private static string Transport(Exception error) => error switch
    {
        HttpRequestException e => $"transport {e.HttpRequestError}",
        TimeoutException or TaskCanceledException => "transport timeout",
        IOException => "transport IOException",
        _ => $"client {error.GetType().Name}",
    };

    // The gateway's error body: {"error": {"message", "type", "code", "param"}}; the code is the finer class.
    private static string? OpenAiCode(ClientResultException error)
    {
        try
        {
            var body = error.GetRawResponse()?.Content;
            if (body is null || body.ToMemory().IsEmpty)
            {
                return null;
            }

            using var json = JsonDocument.Parse(body.ToMemory());
            return json.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
                ? (e.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString()
                    : e.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Join(string status, string? detail) => string.IsNullOrEmpty(detail) ? status : $"{status} {detail}";
}
