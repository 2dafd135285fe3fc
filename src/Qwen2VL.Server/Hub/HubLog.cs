using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hub;

/// <summary>The hub download's log messages, source-generated so disabled levels cost nothing.</summary>
internal static partial class HubLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Using the local folder {Folder}")]
    public static partial void UsingLocalFolder(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Repo}@{Revision} is commit {Commit}; snapshot {Folder}")]
    public static partial void ResolvedRevision(ILogger logger, HubRepoId repo, string revision, string commit, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Repo}: {Count} file(s) to download, {Megabytes:F1} MB")]
    public static partial void DownloadPlan(ILogger logger, HubRepoId repo, int count, double megabytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Repo}: resolved {Folder} from the cache ({Reason})")]
    public static partial void UsingCache(ILogger logger, HubRepoId repo, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hub is unreachable ({Error}); trying the cache")]
    public static partial void HubUnreachable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} failed (attempt {Attempt} of {MaxAttempts}): {Error}; retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string what, int attempt, int maxAttempts, string error, long delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {File} at byte {Offset}")]
    public static partial void Resuming(ILogger logger, string file, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server ignored the range request for {File}; restarting it from byte 0")]
    public static partial void RangeIgnored(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for another process that is downloading {What} (lock {Path})")]
    public static partial void WaitingForLock(ILogger logger, string what, string path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{File}: the hub gave no checksum to verify (etag {Etag})")]
    public static partial void NoChecksum(ILogger logger, string file, string etag);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded {Megabytes:F1} of {TotalMegabytes:F1} MB ({Percent:F1}%), {Rate:F1} MB/s")]
    public static partial void Progress(ILogger logger, double megabytes, double totalMegabytes, double percent, double rate);
}
