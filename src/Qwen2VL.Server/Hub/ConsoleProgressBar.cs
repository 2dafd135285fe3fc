namespace Qwen2VL.Server.Hub;

/// <summary>A one-line progress bar redrawn in place (carriage return) on an interactive terminal.</summary>
public sealed class ConsoleProgressBar(TextWriter output) : DownloadProgress
{
    private const int Width = 30;

    /// <inheritdoc />
    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(200);

    /// <inheritdoc />
    protected override void Render(ProgressSnapshot snapshot, bool final)
    {
        int filled = (int)Math.Round(Width * Math.Clamp(snapshot.Percent, 0, 100) / 100);
        output.Write(
            $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {snapshot.Percent,5:F1}% " +
            $"{ProgressSnapshot.Megabytes(snapshot.DoneBytes):F1}/{ProgressSnapshot.Megabytes(snapshot.TotalBytes):F1} MB " +
            $"{ProgressSnapshot.Megabytes(snapshot.BytesPerSecond):F1} MB/s   ");
        if (final)
        {
            output.WriteLine();
        }

        output.Flush();
    }
}
