namespace Qwen2VL.Server.Hub;

/// <summary>One reading of a download's progress.</summary>
/// <param name="DoneBytes">Bytes on disk, resumed ones included.</param>
/// <param name="TotalBytes">Bytes of the whole session (only files whose size the hub gave).</param>
/// <param name="BytesPerSecond">The rate over this session, resumed bytes excluded.</param>
public readonly record struct ProgressSnapshot(long DoneBytes, long TotalBytes, double BytesPerSecond)
{
    /// <summary>The share done, 0 to 100.</summary>
    public double Percent => TotalBytes == 0 ? 100 : 100.0 * DoneBytes / TotalBytes;

    /// <summary>Bytes to megabytes (10^6, as download tools show them).</summary>
    public static double Megabytes(double bytes) => bytes / 1e6;
}
