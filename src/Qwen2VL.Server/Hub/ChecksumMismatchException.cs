namespace Qwen2VL.Server.Hub;

/// <summary>A downloaded file's hash differs from the one the hub announced; the partial file has been deleted.</summary>
public sealed class ChecksumMismatchException(string fileName, Uri url, string expected, string actual)
    : HubException($"checksum mismatch for {fileName} from {url}: expected {expected}, got {actual}; the download was deleted", url)
{
    /// <summary>The file within the repo.</summary>
    public string FileName { get; } = fileName;

    /// <summary>The hash the hub announced (sha256 for LFS files, git blob sha1 for others).</summary>
    public string Expected { get; } = expected;

    /// <summary>The hash of the bytes received.</summary>
    public string Actual { get; } = actual;
}
