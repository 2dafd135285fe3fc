using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// Counts the bytes of one download session (several files, possibly in parallel) and shows them every
/// <see cref="Interval"/>: as a bar on a terminal, as log lines otherwise (<see cref="ForConsole"/> picks).
/// </summary>
public abstract class DownloadProgress
{
    private readonly Lock _renderLock = new();
    private readonly Stopwatch _clock = new();
    private long _total;
    private long _done;
    private long _resumed;
    private long _lastRenderMs;

    /// <summary>How often the progress is shown.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>
    /// A bar on an interactive terminal, else log lines through <paramref name="logger"/>. The bar is drawn on
    /// standard error so standard output stays free for results (the download command prints the folder there).
    /// </summary>
    public static DownloadProgress ForConsole(ILogger logger) => Console.IsOutputRedirected || Console.IsErrorRedirected
        ? new LoggedDownloadProgress(logger)
        : new ConsoleProgressBar(Console.Error);

    /// <summary>Begins a session of <paramref name="totalBytes"/>, of which <paramref name="alreadyDone"/> are on disk from an earlier run.</summary>
    public void Start(long totalBytes, long alreadyDone)
    {
        _total = totalBytes;
        _done = alreadyDone;
        _resumed = alreadyDone;
        _lastRenderMs = 0;
        _clock.Restart();
    }

    /// <summary>Adds received bytes (negative when a file restarts from zero); thread-safe.</summary>
    public void Add(long bytes)
    {
        Interlocked.Add(ref _done, bytes);
        long now = _clock.ElapsedMilliseconds;
        long last = Interlocked.Read(ref _lastRenderMs);
        if (now - last >= Interval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastRenderMs, now, last) == last)
        {
            Show(final: false);
        }
    }

    /// <summary>Ends the session and shows the final numbers.</summary>
    public void Finish()
    {
        _clock.Stop();
        Show(final: true);
    }

    /// <summary>Shows one update.</summary>
    protected abstract void Render(ProgressSnapshot snapshot, bool final);

    private void Show(bool final)
    {
        long done = Interlocked.Read(ref _done);
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        var snapshot = new ProgressSnapshot(done, Math.Max(_total, done), Math.Max(0, done - _resumed) / seconds);
        lock (_renderLock)
        {
            Render(snapshot, final);
        }
    }
}
