using System.Diagnostics;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// Times the chunks of one streamed answer from the moment the request was sent: the first chunk with text gives the
/// time to first token, each later one an inter-token gap. A chunk that carries several tokens counts as one gap, as in
/// vLLM's serving benchmark: it is what a client waits between updates.
/// </summary>
internal sealed class ChunkTimer
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<double> _gaps = new();
    private long _last;

    /// <summary>Seconds from the request to its first text, or null before any.</summary>
    public double? FirstSeconds { get; private set; }

    /// <summary>Seconds between consecutive text chunks.</summary>
    public IReadOnlyList<double> Gaps => _gaps;

    /// <summary>Text chunks seen.</summary>
    public int Chunks { get; private set; }

    /// <summary>Seconds since the request was sent.</summary>
    public double ElapsedSeconds => Stopwatch.GetElapsedTime(_start).TotalSeconds;

    /// <summary>Records the arrival of a chunk with text.</summary>
    public void Chunk()
    {
        long now = Stopwatch.GetTimestamp();
        if (Chunks == 0)
        {
            FirstSeconds = Stopwatch.GetElapsedTime(_start, now).TotalSeconds;
        }
        else
        {
            _gaps.Add(Stopwatch.GetElapsedTime(_last, now).TotalSeconds);
        }

        _last = now;
        Chunks++;
    }
}
