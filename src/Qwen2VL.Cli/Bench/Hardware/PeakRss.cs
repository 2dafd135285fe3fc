namespace Qwen2VL.Cli.Bench.Hardware;

/// <summary>This process's resident memory from /proc (Linux): the current size and the high-water mark.</summary>
internal static class PeakRss
{
    /// <summary>Peak resident set size in bytes (VmHWM), or null where /proc is unavailable.</summary>
    public static long? PeakBytes() => Read("VmHWM:");

    /// <summary>Current resident set size in bytes (VmRSS), or null where /proc is unavailable.</summary>
    public static long? CurrentBytes() => Read("VmRSS:");

    /// <summary>
    /// Resets the high-water mark to the current size (Linux 4.0+: writing 5 to /proc/self/clear_refs), so a later
    /// <see cref="PeakBytes"/> measures one phase alone. Returns false where that is not possible.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? Read(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (string line in File.ReadLines(status))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:   123456 kB"
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
