using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hub;

/// <summary>Progress as periodic log lines (bytes, percent, MB/s), for redirected output such as container logs.</summary>
public sealed class LoggedDownloadProgress(ILogger logger, TimeSpan? interval = null) : DownloadProgress
{
    /// <inheritdoc />
    protected override TimeSpan Interval { get; } = interval ?? TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    protected override void Render(ProgressSnapshot snapshot, bool final) => HubLog.Progress(logger,
        ProgressSnapshot.Megabytes(snapshot.DoneBytes), ProgressSnapshot.Megabytes(snapshot.TotalBytes), snapshot.Percent,
        ProgressSnapshot.Megabytes(snapshot.BytesPerSecond));
}
