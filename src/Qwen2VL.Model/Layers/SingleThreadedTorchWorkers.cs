using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// Long-lived threads on each of which LibTorch runs single-threaded, for work made of many small independent pieces.
/// Each LibTorch call with two OpenMP threads ends in a barrier; thousands of small calls then wait on each other, and
/// on a busy machine a descheduled thread stalls every call. Here each worker takes whole pieces from a shared counter,
/// so the only wait is at the end and a slow core simply takes fewer pieces.
/// </summary>
/// <remarks>
/// LibTorch's thread count is per OS thread (an OpenMP setting), but <c>set_num_threads</c> also records the count that
/// threads touching LibTorch for the first time start with. The workers set theirs to one once, at start; the creating
/// thread then sets its own count again, which restores that default, so other threads are unaffected.
/// </remarks>
internal sealed class SingleThreadedTorchWorkers
{
    private static readonly Lazy<SingleThreadedTorchWorkers> SharedWorkers = new(() => new SingleThreadedTorchWorkers(get_num_threads()));
    private readonly BlockingCollection<Action>[] _queues;

    private SingleThreadedTorchWorkers(int count)
    {
        Count = Math.Max(1, count);
        _queues = new BlockingCollection<Action>[Count];
        int callerThreads = get_num_threads();
        using var started = new CountdownEvent(Count);
        for (int i = 0; i < Count; i++)
        {
            var queue = _queues[i] = new BlockingCollection<Action>();
            var thread = new Thread(() =>
            {
                set_num_threads(1);
                started.Signal();
                foreach (var work in queue.GetConsumingEnumerable())
                {
                    work();
                }
            })
            {
                IsBackground = true,
                Name = $"torch-worker-{i}",
            };
            thread.Start();
        }

        started.Wait();
        set_num_threads(callerThreads);
    }

    /// <summary>As many workers as LibTorch had threads when first used, so the work uses the same cores.</summary>
    public static SingleThreadedTorchWorkers Shared => SharedWorkers.Value;

    /// <summary>The number of workers.</summary>
    public int Count { get; }

    /// <summary>
    /// Runs <paramref name="work"/> once on every worker (with the worker's index) and waits for all; the first
    /// exception is rethrown here. Several callers may run at once: each worker runs their work in turn.
    /// </summary>
    public void RunOnAll(Action<int> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var finished = new CountdownEvent(Count);
        ExceptionDispatchInfo? failure = null;
        for (int i = 0; i < Count; i++)
        {
            int index = i;
            _queues[i].Add(() =>
            {
                try
                {
                    work(index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    finished.Signal();
                }
            });
        }

        finished.Wait();
        failure?.Throw();
    }
}
