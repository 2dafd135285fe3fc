using System.Diagnostics;
using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// Runs the parts of a split computation on the calling thread plus long-lived helper threads that spin for a short
/// while after each call before they sleep. A decode step makes over a hundred kernel calls of about a millisecond with
/// tens of microseconds of other work between them; waking a sleeping thread-pool thread for each call (as
/// <c>Parallel.For</c> does) costs a sizeable part of that, and a late start of one part delays the whole call. Only
/// one caller uses the helpers at a time; a concurrent caller runs all parts itself.
/// </summary>
internal sealed class SpinningPartWorkers
{
    // How long an idle helper polls for the next call before it blocks: longer than the gaps between the products of
    // one decode step, short against the time between steps of an idle server.
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000;

    private static readonly Lazy<SpinningPartWorkers> SharedWorkers = new(() => new SpinningPartWorkers(Environment.ProcessorCount - 1));

    private readonly Helper[] _helpers;
    private readonly Lock _gate = new();

    private SpinningPartWorkers(int helpers)
    {
        _helpers = new Helper[Math.Max(0, helpers)];
        for (int i = 0; i < _helpers.Length; i++)
        {
            _helpers[i] = new Helper(i);
        }
    }

    /// <summary>One helper per core besides the caller's.</summary>
    public static SpinningPartWorkers Shared => SharedWorkers.Value;

    /// <summary>Most parts that run at once: the caller and every helper.</summary>
    public int MaxParts => _helpers.Length + 1;

    /// <summary>
    /// Splits items [0, <paramref name="items"/>) into contiguous ranges, one per LibTorch thread (so the kernels use
    /// the cores LibTorch was given) and at most one per item, and runs <paramref name="work"/>(from, to) for each.
    /// </summary>
    public void RunSplit(long items, Action<long, long> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        int parts = (int)Math.Min(items, Math.Max(1, Math.Min(get_num_threads(), MaxParts)));
        Run(parts, p => work(items * p / parts, items * (p + 1) / parts));
    }

    /// <summary>
    /// Runs <paramref name="work"/> for parts 0 … <paramref name="parts"/> − 1 (at most <see cref="MaxParts"/>), part 0
    /// on this thread, and returns when all are done; the first exception is rethrown here.
    /// </summary>
    public void Run(int parts, Action<int> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        parts = Math.Min(parts, MaxParts);
        if (parts <= 1 || !_gate.TryEnter())
        {
            for (int part = 0; part < parts; part++)
            {
                work(part);
            }

            return;
        }

        try
        {
            for (int i = 0; i < parts - 1; i++)
            {
                _helpers[i].Start(work, i + 1);
            }

            ExceptionDispatchInfo? failure = null;
            try
            {
                work(0);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            for (int i = 0; i < parts - 1; i++)
            {
                var helperFailure = _helpers[i].Finish();
                failure ??= helperFailure;
            }

            failure?.Throw();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>A helper thread with a one-call mailbox.</summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim _wake = new(0);
        private Action<int>? _work;
        private int _part;
        private ExceptionDispatchInfo? _failure;
        private volatile bool _done;

        // Set and read across threads in Dekker fashion (write mine, then read theirs), so written with full fences.
        private int _posted;
        private int _sleeping;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"kernel-helper-{index}" };
            thread.Start();
        }

        public void Start(Action<int> work, int part)
        {
            _work = work;
            _part = part;
            _failure = null;
            _done = false;
            Interlocked.Exchange(ref _posted, 1);
            if (Volatile.Read(ref _sleeping) == 1)
            {
                _wake.Release();
            }
        }

        public ExceptionDispatchInfo? Finish()
        {
            var spinner = default(SpinWait);
            while (!_done)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                WaitForWork();
                Volatile.Write(ref _posted, 0);
                try
                {
                    _work!(_part);
                }
                catch (Exception e)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    _work = null;
                    _done = true;
                }
            }
        }

        private void WaitForWork()
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _posted) == 0)
            {
                if (Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(20);
                    continue;
                }

                // Announce the sleep, then look again: a call posted in between either sees the flag and releases
                // the semaphore, or was posted before the second look and is taken without sleeping.
                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _posted) == 0)
                {
                    _wake.Wait();
                }

                Volatile.Write(ref _sleeping, 0);
                until = Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
