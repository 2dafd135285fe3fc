using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// Recognises failures of the control plane itself — the state store or a grain call that timed out — in whatever
/// wrapping Orleans delivers them, so that they reach the client as a retriable 503 rather than a 500.
/// </summary>
public static class ControlPlaneFailures
{
    /// <summary>The 503 for <paramref name="e"/>, or null when it is not a control-plane failure.</summary>
    public static ChatBackendException? Translate(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (IsStateStoreFailure(current))
            {
                return StateStoreGate.Unavailable(e);
            }

            if (current is TimeoutException)
            {
                return new ChatBackendException(ChatFailure.Unavailable,
                    $"the cluster did not answer in time ({current.Message}); retry in {StateStoreGate.RetryAfter.TotalSeconds:0} s",
                    "control_plane_timeout", inner: e)
                {
                    RetryAfter = StateStoreGate.RetryAfter,
                };
            }
        }

        return null;
    }

    /// <summary>
    /// A Redis client error, a storage provider's error about Redis, or either after crossing a silo boundary
    /// (Orleans then names the original type in a fallback exception's message).
    /// </summary>
    private static bool IsStateStoreFailure(Exception e)
    {
        var type = e.GetType();
        return (type.Namespace?.StartsWith("StackExchange.Redis", StringComparison.Ordinal) ?? false)
            || type.Name.Contains("Redis", StringComparison.Ordinal)
            || (type.Name == "UnavailableExceptionFallbackException" && e.ToString().Contains("Redis", StringComparison.Ordinal));
    }
}
