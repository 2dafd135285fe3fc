using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Qwen2VL.Server.Hosting;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// Makes a gateway's grain call again, with backoff, while it fails because a silo died or did not answer
/// (<see cref="ControlPlaneFailures.IsTransient"/>): Orleans needs a few seconds to declare a hard-killed silo dead,
/// and until then calls to the grains it held fail; afterwards the same call reactivates them on a surviving silo
/// from the state store. After <see cref="ControlPlaneOptions.RetryDeadline"/> the caller gets 503
/// <c>cluster_unavailable</c>. Only for calls that are safe to repeat: reads, admissions, and turns that carry their
/// request id (a session stores a turn under it once, so a repeat can never be applied twice).
/// </summary>
public sealed partial class ControlPlaneRetry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    private readonly TimeSpan _deadline;
    private readonly TimeSpan _firstDelay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ControlPlaneRetry(IOptions<ServerOptions> options, TimeProvider time, ILogger<ControlPlaneRetry> logger)
        : this(options.Value.ControlPlane.RetryDeadline, FirstDelay, time, logger)
    {
    }

    /// <param name="deadline">How long after the first attempt a new one may still start.</param>
    /// <param name="firstDelay">The pause after the first failure; it doubles up to two seconds.</param>
    public ControlPlaneRetry(TimeSpan deadline, TimeSpan firstDelay, TimeProvider time, ILogger? logger = null)
    {
        _deadline = deadline;
        _firstDelay = firstDelay;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>No retries: every failure goes straight to the caller (for components built without the options).</summary>
    public static ControlPlaneRetry None { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeProvider.System);

    /// <summary>Runs <paramref name="call"/>, again after each transient failure until the deadline.</summary>
    /// <param name="operation">What the call does, for the log.</param>
    /// <exception cref="Gateway.Backend.ChatBackendException"><c>cluster_unavailable</c> when the deadline passed.</exception>
    public async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        long started = _time.GetTimestamp();
        var delay = _firstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ControlPlaneFailures.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var elapsed = _time.GetElapsedTime(started);
                var left = _deadline - elapsed;
                if (left <= TimeSpan.Zero)
                {
                    if (_deadline > TimeSpan.Zero)
                    {
                        LogGaveUp(_logger, e, operation, attempt, elapsed.TotalSeconds);
                        throw ControlPlaneFailures.RetriesExhausted(e, attempt, elapsed);
                    }

                    throw;
                }

                LogRetrying(_logger, operation, attempt, e.GetType().Name, FirstWords(e.Message));
                await Task.Delay(WholeMilliseconds(delay < left ? delay : left), _time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    /// <summary>
    /// Rounds a pause up to the timer's resolution: a system timer truncates to whole milliseconds, so the last sliver
    /// of the deadline would end at once and the attempts would run back to back until the clock passed it.
    /// </summary>
    private static TimeSpan WholeMilliseconds(TimeSpan pause) => TimeSpan.FromMilliseconds(Math.Ceiling(pause.TotalMilliseconds));

    /// <summary>Orleans inlines whole inner exceptions and stack traces into its messages; the start says what failed.</summary>
    private static string FirstWords(string message) => message.Length <= 160 ? message : message[..160] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation}: attempt {Attempt} failed with {ErrorType} ({ErrorMessage}); retrying while the cluster recovers")]
    private static partial void LogRetrying(ILogger logger, string operation, int attempt, string errorType, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation}: gave up after {Attempts} attempts over {Seconds:0.0} s")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, string operation, int attempts, double seconds);
}
