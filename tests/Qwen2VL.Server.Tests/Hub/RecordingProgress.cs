using Qwen2VL.Server.Hub;

namespace Qwen2VL.Server.Tests.Hub;

/// <summary>Progress that keeps what it was shown, so tests can check the totals.</summary>
public sealed class RecordingProgress : DownloadProgress
{
    private readonly List<ProgressSnapshot> _finals = [];

    /// <summary>The last snapshot of each finished session.</summary>
    public IReadOnlyList<ProgressSnapshot> Finals => _finals;

    /// <inheritdoc />
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    /// <inheritdoc />
    protected override void Render(ProgressSnapshot snapshot, bool final)
    {
        if (final)
        {
            _finals.Add(snapshot);
        }
    }
}
