using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hosting;

/// <summary>
/// Warns when a process that runs the model uses glibc's malloc. Under it a server answered a 128-token request 20×
/// slower after ten minutes of load than when fresh, and with jemalloc preloaded it did not slow down at all
/// (docs/reliability.md, "Load test"); the container images preload jemalloc.
/// </summary>
internal static partial class AllocatorCheck
{
    private const string Jemalloc = "libjemalloc";

    /// <summary>Whether <paramref name="preload"/> (the value of LD_PRELOAD) loads jemalloc.</summary>
    public static bool PreloadsJemalloc(string? preload) =>
        !string.IsNullOrEmpty(preload) && preload.Contains(Jemalloc, StringComparison.Ordinal);

    public static void WarnIfSystemAllocator(ILogger logger)
    {
        if (OperatingSystem.IsLinux() && !PreloadsJemalloc(Environment.GetEnvironmentVariable("LD_PRELOAD")))
        {
            LogSystemAllocator(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "running the model on glibc's malloc, under which this server slows down many times over after minutes of load; " +
        "for long runs install jemalloc and start with LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 (the container images do)")]
    private static partial void LogSystemAllocator(ILogger logger);
}
