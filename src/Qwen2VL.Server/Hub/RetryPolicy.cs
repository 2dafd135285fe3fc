using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// Exponential backoff for transient hub failures. Written by hand rather than with an HTTP resilience handler
/// because a download can fail while its body streams, after the handler has returned, and the retry must then
/// resume from the bytes already on disk.
/// </summary>
/// <param name="MaxAttempts">Attempts in all, the first included (1 = no retry).</param>
/// <param name="InitialDelay">The wait after the first failure; each later wait doubles.</param>
/// <param name="MaxDelay">The longest wait between two attempts.</param>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan InitialDelay, TimeSpan MaxDelay)
{
    /// <summary>Five attempts, waiting 1, 2, 4 and 8 seconds (plus jitter) in between.</summary>
    public static RetryPolicy Default { get; } = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1, with up to 20% jitter so clients spread out.</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        double baseMs = Math.Min(MaxDelay.TotalMilliseconds, InitialDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(baseMs * (1 + (0.2 * Random.Shared.NextDouble())));
    }

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds, fails with a permanent error, or the attempts run out;
    /// waits <see cref="DelayAfter"/> between attempts and logs each retry.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(string what, Func<CancellationToken, Task<T>> action, ILogger logger, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < MaxAttempts && IsTransient(e, cancellationToken))
            {
                TimeSpan delay = DelayAfter(attempt);
                HubLog.Retrying(logger, what, attempt, MaxAttempts, e.Message, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc cref="ExecuteAsync{T}"/>
    public Task ExecuteAsync(string what, Func<CancellationToken, Task> action, ILogger logger, CancellationToken cancellationToken) =>
        ExecuteAsync(what, async ct =>
        {
            await action(ct).ConfigureAwait(false);
            return true;
        }, logger, cancellationToken);

    /// <summary>
    /// Whether a failure may pass if tried again: server errors (5xx, 408, 429), connections refused or cut,
    /// and timeouts; never 4xx answers, checksum mismatches, or the caller's own cancellation.
    /// </summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        _ when cancellationToken.IsCancellationRequested => false,
        HubException { StatusCode: { } status } => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        HubException => false,
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: { } status } => (int)status >= 500,
        HttpIOException or TimeoutException or TaskCanceledException => true,
        // A connection reset while a body streams surfaces as a plain IOException around the socket error.
        IOException { InnerException: SocketException } => true,
        _ => false,
    };
}
