namespace Qwen2VL.Server.Hub;

/// <summary>
/// A model was asked for without the hub (offline mode, or the hub unreachable) and the cache does not hold it all.
/// </summary>
public sealed class ModelNotCachedException(HubRepoId repo, string revision, string cacheFolder, IReadOnlyList<string> missingFiles, string reason, Exception? innerException = null)
    : HubException(
        $"{repo} at revision '{revision}' is not complete in the cache {cacheFolder} ({reason}); missing: " +
        $"{string.Join(", ", missingFiles)}. Download it once with network access (unset HF_HUB_OFFLINE).",
        innerException: innerException)
{
    /// <summary>The repo asked for.</summary>
    public HubRepoId Repo { get; } = repo;

    /// <summary>The revision asked for.</summary>
    public string Revision { get; } = revision;

    /// <summary>The files (or the <c>refs/</c> entry) that the cache lacks.</summary>
    public IReadOnlyList<string> MissingFiles { get; } = missingFiles;
}
