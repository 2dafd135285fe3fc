using System.Diagnostics;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Server.Frontend;
using StackExchange.Redis;

namespace Qwen2VL.Server.Tests.Frontend;

/// <summary>The gateway's retries while a dead silo's grains come back elsewhere, on short real-time deadlines.</summary>
public sealed class ControlPlaneRetryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(400);

    private static ControlPlaneRetry Retry(TimeSpan? deadline = null) => new(deadline ?? Deadline, TimeSpan.FromMilliseconds(20), TimeProvider.System);

    [Fact]
    public async Task RunAsync_SiloDiesThenGrainComesBack_ReturnsTheAnswerOfTheAttemptThatWorked()
    {
        int attempts = 0;

        string answer = await Retry().RunAsync("test", _ => ++attempts < 3
            ? Task.FromException<string>(new SiloUnavailableException("the target silo became unavailable"))
            : Task.FromResult("served"), CancellationToken.None);

        Assert.Equal("served", answer);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task RunAsync_SiloNeverComesBack_Is503ClusterUnavailableShortlyAfterTheDeadline()
    {
        int attempts = 0;
        var clock = Stopwatch.StartNew();

        var refusal = await Assert.ThrowsAsync<ChatBackendException>(() => Retry().RunAsync<int>("test", _ =>
        {
            attempts++;
            return Task.FromException<int>(new TimeoutException("Response did not arrive on time"));
        }, CancellationToken.None));

        Assert.Equal("cluster_unavailable", refusal.Code);
        Assert.NotNull(refusal.RetryAfter);
        Assert.InRange(attempts, 3, 30);
        Assert.InRange(clock.Elapsed, Deadline, Deadline + TimeSpan.FromSeconds(2));
        Assert.Contains($"{attempts} attempts", refusal.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Exception> NotRetried() => new()
    {
        { "request or engine failure", new InvalidOperationException("the engine threw") },
        { "state store down", new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "socket closed", null, CommandStatus.Unknown) },
        { "already translated", new ChatBackendException(ChatFailure.InvalidRequest, "bad", "bad") },
    };

    [Theory]
    [MemberData(nameof(NotRetried))]
    public async Task RunAsync_FailureNotCausedByASilo_FailsAtOnceWithThatFailure(string name, Exception failure)
    {
        int attempts = 0;

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Retry().RunAsync<int>("test", _ =>
        {
            attempts++;
            return Task.FromException<int>(failure);
        }, CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.True(attempts == 1, $"{name} was tried {attempts} times");
    }

    [Fact]
    public async Task RunAsync_RetriesOff_RethrowsTheFirstFailureForTheCallerToTranslate()
    {
        int attempts = 0;
        var failure = new SiloUnavailableException("dead");

        var thrown = await Assert.ThrowsAsync<SiloUnavailableException>(() => Retry(TimeSpan.Zero).RunAsync<int>("test", _ =>
        {
            attempts++;
            return Task.FromException<int>(failure);
        }, CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task RunAsync_ClientLeavesDuringBackoff_StopsRetrying()
    {
        using var cancellation = new CancellationTokenSource();
        int attempts = 0;
        var retry = new ControlPlaneRetry(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeProvider.System);

        var running = retry.RunAsync<int>("test", _ =>
        {
            attempts++;
            return Task.FromException<int>(new SiloUnavailableException("dead"));
        }, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, attempts);
    }
}
