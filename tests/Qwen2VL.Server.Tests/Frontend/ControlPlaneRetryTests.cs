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
        // Attempts start at 0, 20, 60, 140 and 300 ms and, the pause cut short, at 400 ms: six. A late timer on a loaded
        // machine can only merge attempts, down to the first and one after the deadline; a timer whose millisecond
        // ticks run a little ahead of the stopwatch can add one or two pauses of a millisecond at the end.
        Assert.InRange(attempts, 2, 8);
        Assert.InRange(clock.Elapsed, Deadline, Deadline + TimeSpan.FromSeconds(2));
        Assert.Contains($"{attempts} attempts", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SiloNeverComesBack_SpacesAttemptsByTheDoublingBackoffUpToTheDeadline()
    {
        // Each failed call takes a little time, so the time left for the last pause is not whole milliseconds: a
        // pause shorter than the timer's millisecond used to end at once, and attempts then ran back to back until
        // the clock passed the deadline.
        var callTime = TimeSpan.FromMicroseconds(10);
        var clock = new PunctualClock();
        var starts = new List<TimeSpan>();
        var retry = new ControlPlaneRetry(Deadline, TimeSpan.FromMilliseconds(20), clock);

        var refusal = await Assert.ThrowsAsync<ChatBackendException>(() => retry.RunAsync<int>("test", _ =>
        {
            starts.Add(clock.Now);
            clock.Advance(callTime);
            return Task.FromException<int>(new TimeoutException("Response did not arrive on time"));
        }, CancellationToken.None));

        Assert.Equal("cluster_unavailable", refusal.Code);
        var pauses = starts.Zip(starts.Skip(1), (previous, next) => (next - previous - callTime).TotalMilliseconds);
        // The last pause is what was left of the deadline (99.95 ms) in whole milliseconds; the attempt after it is
        // the last.
        Assert.Equal([20, 40, 80, 160, 100], pauses);
        Assert.InRange(starts[^1], Deadline, Deadline + TimeSpan.FromMilliseconds(1));
        Assert.Contains("6 attempts", refusal.Message, StringComparison.Ordinal);
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
