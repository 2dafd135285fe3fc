using Orleans.Networking.Shared;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;
using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// Recognises failures of the control plane itself — the state store, a silo that died or does not answer, a grain
/// call that timed out — in whatever wrapping Orleans delivers them, so that they reach the client as a retriable 503
/// rather than a 500. Everything else (a bug, an engine crash Orleans carried across silos) is not theirs to excuse.
/// </summary>
public static class ControlPlaneFailures
{
    /// <summary>The retry hint sent with <c>cluster_unavailable</c>: about the time it takes to declare a silo dead.</summary>
    public static readonly TimeSpan ClusterRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Orleans' own exceptions that mean "the silo that should answer is gone, unreachable or refusing for now". Listed
    /// by type, subclasses included, and by name for the stand-ins of types that did not survive crossing silos.
    /// </summary>
    private static readonly Type[] SiloUnavailableTypes =
    [
        typeof(SiloUnavailableException),
        typeof(OrleansMessageRejectionException),
        // A gateway silo shedding load: refused before anything ran, like a rejection.
        typeof(GatewayTooBusyException),
        typeof(ConnectionFailedException),
        typeof(SocketConnectionException),
        // The enumerator of a streamed answer was lost with the activation that held it.
        typeof(EnumerationAbortedException),
    ];

    private enum Kind
    {
        None,
        StateStore,
        SiloUnavailable,
        Timeout,
    }

    /// <summary>The 503 for <paramref name="e"/>, or null when it is not a control-plane failure.</summary>
    public static ChatBackendException? Translate(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var (kind, cause) = Classify(e);
        return kind switch
        {
            Kind.StateStore => StateStoreGate.Unavailable(e),
            Kind.SiloUnavailable => ClusterUnavailable(
                $"a silo of the cluster died or is unreachable ({Describe(cause!)}); retry in {ClusterRetryAfter.TotalSeconds:0} s, "
                + "with the same idempotency key for a turn that did not complete (it is never stored twice)", e),
            Kind.Timeout => new ChatBackendException(ChatFailure.Unavailable,
                $"the cluster did not answer in time ({cause!.Message}); retry in {StateStoreGate.RetryAfter.TotalSeconds:0} s",
                "control_plane_timeout", inner: e)
            {
                RetryAfter = StateStoreGate.RetryAfter,
            },
            _ => null,
        };
    }

    /// <summary>
    /// Whether the same call may succeed once the cluster has settled: a silo died or did not answer, or a call timed
    /// out. Not a state-store outage (refused at once until the store is back), nor anything about the request.
    /// </summary>
    public static bool IsTransient(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Classify(e).Kind is Kind.SiloUnavailable or Kind.Timeout;
    }

    /// <summary>The 503 once retries of a transient failure ran out of time.</summary>
    public static ChatBackendException RetriesExhausted(Exception last, int attempts, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(last);
        var (_, cause) = Classify(last);
        return ClusterUnavailable(
            $"the cluster could not serve the request: {attempts} attempts over {elapsed.TotalSeconds:0.0} s failed, the last with "
            + $"{Describe(cause ?? last)} (a silo died and its grains have not come back yet); retry in {ClusterRetryAfter.TotalSeconds:0} s",
            last);
    }

    private static ChatBackendException ClusterUnavailable(string message, Exception inner) =>
        new(ChatFailure.Unavailable, message, "cluster_unavailable", inner: inner)
        {
            RetryAfter = ClusterRetryAfter,
        };

    /// <summary>The first exception in the chain that says what failed, and what kind of failure it is.</summary>
    private static (Kind Kind, Exception? Cause) Classify(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (IsStateStoreFailure(current))
            {
                return (Kind.StateStore, current);
            }

            string? typeName = FallbackTypeName(current);
            if (SiloUnavailableTypes.Any(t => t.IsInstanceOfType(current) || t.FullName == typeName))
            {
                return (Kind.SiloUnavailable, current);
            }

            if (current is TimeoutException || typeName == typeof(TimeoutException).FullName)
            {
                return (Kind.Timeout, current);
            }
        }

        return (Kind.None, null);
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
            || (e is UnavailableExceptionFallbackException && e.ToString().Contains("Redis", StringComparison.Ordinal));
    }

    /// <summary>
    /// The original type of an exception that reached this process as Orleans' stand-in for a type it could not
    /// deserialize; null for any other exception.
    /// </summary>
    private static string? FallbackTypeName(Exception e) => e is UnavailableExceptionFallbackException fallback ? fallback.ExceptionType : null;

    private static string Describe(Exception e) =>
        $"{(e is UnavailableExceptionFallbackException { ExceptionType: { } original } ? original[(original.LastIndexOf('.') + 1)..] : e.GetType().Name)}: {e.Message}";
}
