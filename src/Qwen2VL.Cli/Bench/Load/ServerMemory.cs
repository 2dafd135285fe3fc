namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// The server's resident memory over a run, in bytes: before the load, when the warm-up ended, after the last request,
/// and the highest sample. Growth is end minus after-warm-up, so buffers and code paths first touched by the first
/// requests do not count as growth.
/// </summary>
internal sealed record ServerMemory(long Start, long AfterWarmup, long End, long Peak, int Samples)
{
    public long Growth => End - AfterWarmup;

    /// <summary>The summary of <paramref name="samples"/> (time order), or null with fewer than two.</summary>
    public static ServerMemory? From(IReadOnlyList<MemorySample> samples, TimeSpan warmup)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 2)
        {
            return null;
        }

        var afterWarmup = samples.Skip(1).FirstOrDefault(s => s.Seconds >= warmup.TotalSeconds) ?? samples[^1];
        return new ServerMemory(samples[0].Bytes, afterWarmup.Bytes, samples[^1].Bytes, samples.Max(s => s.Bytes), samples.Count);
    }
}
