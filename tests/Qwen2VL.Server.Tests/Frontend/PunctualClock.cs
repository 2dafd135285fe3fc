namespace Qwen2VL.Server.Tests.Frontend;

/// <summary>
/// A clock on which waiting takes no real time: a timer moves the clock straight to its due time, then fires on the
/// thread pool as a real one would. Otherwise time moves only when the test says so, so a test sees exactly the waits
/// the code asked for, whatever the machine's load.
/// </summary>
internal sealed class PunctualClock : TimeProvider
{
    private long _ticks;

    /// <summary>Time since the clock was made.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch + Now;

    /// <summary>Moves the clock forward, as work that takes time would.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan)
        {
            throw new NotSupportedException("this clock has one-shot timers only");
        }

        var timer = new OneShotTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class OneShotTimer(PunctualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                ThreadPool.QueueUserWorkItem(_ =>
                {
                    if (Volatile.Read(ref _disposed) == 0)
                    {
                        clock.Advance(dueTime);
                        callback(state);
                    }
                });
            }

            return true;
        }

        public void Dispose() => Volatile.Write(ref _disposed, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
