using System.Runtime.InteropServices;
using Orleans.Networking.Shared;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Server.Frontend;
using StackExchange.Redis;

namespace Qwen2VL.Server.Tests.Frontend;

/// <summary>Which failures the gateway answers with a retriable 503, and which of those it retries itself.</summary>
public sealed class ControlPlaneFailuresTests
{
    public static TheoryData<string, Exception> SiloUnavailable() => new()
    {
        { "silo unavailable", new SiloUnavailableException("the target silo became unavailable for message") },
        { "message rejected", Rejection("forwarding failed: tried to forward message too many times") },
        { "gateway too busy", new GatewayTooBusyException("gateway too busy") },
        { "connection failed", new ConnectionFailedException("unable to connect to 127.0.0.1:11112") },
        { "socket failed", new SocketConnectionException("connection reset by peer") },
        { "enumerator lost", new EnumerationAbortedException("the remote target does not have a record of this enumerator") },
        { "wrapped", new InvalidOperationException("the call failed", new SiloUnavailableException("silo S127.0.0.1:11112 is dead")) },
        { "across silos", Fallback("Orleans.Runtime.SiloUnavailableException", "the target silo became unavailable") },
        { "connection failure across silos", Fallback("Orleans.Runtime.Messaging.ConnectionFailedException", "unable to connect") },
    };

    [Theory]
    [MemberData(nameof(SiloUnavailable))]
    public void Translate_SiloUnavailable_Is503ClusterUnavailableWithRetryAfterAndRetried(string name, Exception failure)
    {
        var translated = ControlPlaneFailures.Translate(failure);

        Assert.NotNull(translated);
        Assert.Equal(ChatFailure.Unavailable, translated.Failure);
        Assert.Equal("cluster_unavailable", translated.Code);
        Assert.Equal(ControlPlaneFailures.ClusterRetryAfter, translated.RetryAfter);
        Assert.Same(failure, translated.InnerException);
        Assert.True(ControlPlaneFailures.IsTransient(failure), $"{name} is not retried");
    }

    [Fact]
    public void Translate_Timeout_Is503ControlPlaneTimeoutAndRetried()
    {
        var failure = new TimeoutException("Response did not arrive on time in 00:00:10 for message");

        var translated = ControlPlaneFailures.Translate(failure);

        Assert.NotNull(translated);
        Assert.Equal(ChatFailure.Unavailable, translated.Failure);
        Assert.Equal("control_plane_timeout", translated.Code);
        Assert.NotNull(translated.RetryAfter);
        Assert.True(ControlPlaneFailures.IsTransient(failure));
        Assert.True(ControlPlaneFailures.IsTransient(Fallback("System.TimeoutException", "timed out")));
    }

    public static TheoryData<string, Exception> StateStore() => new()
    {
        { "connection", new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "No connection is active/available to service this operation", null, CommandStatus.Unknown) },
        // A TimeoutException too: the store's, not a silo's, so it is refused at once rather than retried.
        { "timeout", new RedisTimeoutException(CommandFlags.None, "Timeout performing HGETALL", CommandStatus.Sent) },
        { "across silos", Fallback("Orleans.Persistence.Redis.RedisStorageException", "Redis is unreachable") },
    };

    [Theory]
    [MemberData(nameof(StateStore))]
    public void Translate_StateStoreFailure_Is503StateStoreUnavailableAndNotRetried(string name, Exception failure)
    {
        var translated = ControlPlaneFailures.Translate(failure);

        Assert.NotNull(translated);
        Assert.Equal("state_store_unavailable", translated.Code);
        Assert.False(ControlPlaneFailures.IsTransient(failure), $"a state store failure ({name}) is retried");
    }

    public static TheoryData<string, Exception> NotTheControlPlane() => new()
    {
        { "engine crash carried across silos", Fallback(typeof(ExternalException).FullName!, "CUDA error: an illegal memory access was encountered") },
        { "other Orleans failure", new OrleansException("grain call failed: the engine threw") },
        { "bug", new InvalidOperationException("sequence contains no elements") },
        { "bug wrapping a bug", new AggregateException(new ArgumentException("bad")) },
    };

    [Theory]
    [MemberData(nameof(NotTheControlPlane))]
    public void Translate_OtherFailure_IsLeftAloneAndNotRetried(string name, Exception failure)
    {
        Assert.Null(ControlPlaneFailures.Translate(failure));
        Assert.False(ControlPlaneFailures.IsTransient(failure), $"{name} is retried");
    }

    [Fact]
    public void RetriesExhausted_NamesAttemptsTimeAndTheLastFailure()
    {
        var last = new SiloUnavailableException("silo S127.0.0.1:11112 is dead");

        var refusal = ControlPlaneFailures.RetriesExhausted(last, attempts: 7, TimeSpan.FromSeconds(20.4));

        Assert.Equal(ChatFailure.Unavailable, refusal.Failure);
        Assert.Equal("cluster_unavailable", refusal.Code);
        Assert.Equal(ControlPlaneFailures.ClusterRetryAfter, refusal.RetryAfter);
        Assert.Contains("7 attempts over 20.4 s", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("SiloUnavailableException: silo S127.0.0.1:11112 is dead", refusal.Message, StringComparison.Ordinal);
    }

    /// <summary>A rejection as the runtime makes it (its constructors are not public).</summary>
    private static OrleansMessageRejectionException Rejection(string message) =>
        (OrleansMessageRejectionException)Activator.CreateInstance(typeof(OrleansMessageRejectionException),
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic, null, [message], null)!;

    /// <summary>What a silo receives for an exception type it cannot deserialize.</summary>
    private static UnavailableExceptionFallbackException Fallback(string exceptionType, string message)
    {
        var fallback = new UnavailableExceptionFallbackException(message, null!);
        typeof(UnavailableExceptionFallbackException).GetProperty(nameof(UnavailableExceptionFallbackException.ExceptionType))!.SetValue(fallback, exceptionType);
        return fallback;
    }
}
