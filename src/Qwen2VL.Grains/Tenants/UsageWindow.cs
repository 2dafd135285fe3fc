namespace Qwen2VL.Grains.Tenants;

/// <summary>
/// A tenant's last minute: when requests were admitted and how many tokens each counts, plus the open streams.
/// A request counts its admission estimate until it is released with its real usage.
/// </summary>
internal sealed class UsageWindow
{
    /// <summary>The length of the sliding window the per-minute limits apply to.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    // A gateway that dies without releasing would hold a slot forever; slots older than this are taken as leaked.
    private static readonly TimeSpan StreamLeakTimeout = TimeSpan.FromMinutes(30);

    private readonly LinkedList<Admission> _admissions = new();
    private readonly Dictionary<string, DateTimeOffset> _openStreams = new(StringComparer.Ordinal);

    public int Requests => _admissions.Count;

    public long Tokens => _admissions.Sum(a => (long)a.Tokens);

    public int OpenStreams => _openStreams.Count;

    /// <summary>Drops admissions older than a minute and streams open for longer than the leak timeout.</summary>
    public void Prune(DateTimeOffset now)
    {
        while (_admissions.First is { } oldest && now - oldest.Value.At >= Length)
        {
            _admissions.RemoveFirst();
        }

        foreach (var (id, openedAt) in _openStreams.Where(s => now - s.Value >= StreamLeakTimeout).ToList())
        {
            _openStreams.Remove(id);
        }
    }

    /// <summary>When the oldest admission leaves the window.</summary>
    public TimeSpan UntilOldestExpires(DateTimeOffset now) =>
        _admissions.First is { } oldest ? oldest.Value.At + Length - now : TimeSpan.Zero;

    public void Admit(string streamId, int estimatedTokens, DateTimeOffset now)
    {
        _admissions.AddLast(new Admission(streamId, now, Math.Max(0, estimatedTokens)));
        _openStreams[streamId] = now;
    }

    /// <summary>Closes the stream and replaces its estimate with the tokens it really used (when still in the window).</summary>
    public void Release(string streamId, int usedTokens)
    {
        _openStreams.Remove(streamId);
        for (var node = _admissions.Last; node is not null; node = node.Previous)
        {
            if (node.Value.StreamId == streamId)
            {
                node.Value = node.Value with { Tokens = usedTokens };
                return;
            }
        }
    }

    private readonly record struct Admission(string StreamId, DateTimeOffset At, int Tokens);
}
