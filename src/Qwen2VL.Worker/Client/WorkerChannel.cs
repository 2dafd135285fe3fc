using Grpc.Net.Client;

namespace Qwen2VL.Worker.Client;

/// <summary>Channels to another worker: HTTP/2 with raised message limits, and keep-alive pings that notice a dead peer.</summary>
public static class WorkerChannel
{
    /// <summary>Creates a channel to <paramref name="address"/> (http://host:port is HTTP/2 without TLS).</summary>
    public static GrpcChannel Create(string address, int maxMessageBytes = WorkerMessageLimits.DefaultMaxMessageBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        var handler = new SocketsHttpHandler
        {
            // A stage's stream lives as long as the pipeline; pings catch a peer that vanished without closing (power,
            // network), which a quiet stream would otherwise notice only at its next step's timeout.
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            InitialHttp2StreamWindowSize = WorkerMessageLimits.Http2WindowBytes,
            EnableMultipleHttp2Connections = true,
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxMessageBytes,
            MaxSendMessageSize = maxMessageBytes,
            // A replaced stage should be reachable within about a second of coming back, not after a long backoff.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(1),
        });
    }
}
