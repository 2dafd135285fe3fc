using Qwen2VL.Gateway.Backend;
using StackExchange.Redis;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// Refuses requests at once, with a clear 503, while the cluster's state store (Redis) is unreachable: sessions,
/// media, tenant usage and idempotency records all live there, and a request that went ahead would either wait for
/// the store's timeouts or generate an answer that cannot be recorded. Without Redis (the embedded in-memory control
/// plane) it never refuses.
/// </summary>
public sealed class StateStoreGate
{
    /// <summary>The retry hint sent with the refusal: about how long the client's reconnect takes once Redis is back.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly IConnectionMultiplexer? _redis;

    /// <param name="redis">The server's own connection to the state store; null without Redis.</param>
    public StateStoreGate(IConnectionMultiplexer? redis = null)
    {
        _redis = redis;
    }

    /// <summary>Throws the 503 when the store is known to be unreachable.</summary>
    /// <exception cref="ChatBackendException"><see cref="ChatFailure.Unavailable"/> while disconnected.</exception>
    public void EnsureAvailable()
    {
        if (_redis is { IsConnected: false })
        {
            throw Unavailable(null);
        }
    }

    /// <summary>The refusal, for this gate and for store failures met during a request.</summary>
    public static ChatBackendException Unavailable(Exception? inner) => new(ChatFailure.Unavailable,
        $"the cluster's state store (Redis) is unreachable, so requests are refused until it is back; retry in {RetryAfter.TotalSeconds:0} s",
        "state_store_unavailable", inner: inner)
    {
        RetryAfter = RetryAfter,
    };
}
