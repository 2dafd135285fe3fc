using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Qwen2VL.Gateway.Http;

/// <summary>Writes <c>data: {json}\n\n</c> events and the closing <c>data: [DONE]</c>, flushing each one.</summary>
public sealed class ServerSentEvents
{
    private static readonly byte[] Prefix = "data: "u8.ToArray();
    private static readonly byte[] Separator = "\n\n"u8.ToArray();
    private static readonly byte[] Done = Encoding.ASCII.GetBytes("data: [DONE]\n\n");
    private readonly HttpResponse _response;

    public ServerSentEvents(HttpResponse response) => _response = response;

    public bool Started { get; private set; }

    public void Start()
    {
        if (Started)
        {
            return;
        }

        _response.StatusCode = StatusCodes.Status200OK;
        _response.ContentType = "text/event-stream; charset=utf-8";
        _response.Headers.CacheControl = "no-cache";
        _response.Headers["X-Accel-Buffering"] = "no";
        Started = true;
    }

    public async Task WriteAsync<T>(T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        Start();
        await _response.Body.WriteAsync(Prefix, cancellationToken).ConfigureAwait(false);
        await JsonSerializer.SerializeAsync(_response.Body, value, type, cancellationToken).ConfigureAwait(false);
        await _response.Body.WriteAsync(Separator, cancellationToken).ConfigureAwait(false);
        await _response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        Start();
        await _response.Body.WriteAsync(Done, cancellationToken).ConfigureAwait(false);
        await _response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
