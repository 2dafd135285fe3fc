using System.Text.RegularExpressions;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// One repo's folder in the huggingface_hub cache layout, shared with Python tools:
/// <c>blobs/{etag}</c> holds each file's content once, <c>snapshots/{commit}/{file}</c> is a relative symlink to
/// its blob, and <c>refs/{revision}</c> holds the commit sha a branch or tag pointed to when last fetched.
/// </summary>
public sealed partial class HubRepoCache
{
    /// <summary>Opens (without creating anything yet) the cache folder of <paramref name="repo"/>.</summary>
    public HubRepoCache(string cacheDirectory, HubRepoId repo)
    {
        Repo = repo;
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        RepoFolder = Path.Combine(CacheDirectory, repo.CacheFolderName);
    }

    /// <summary>The repo this folder caches.</summary>
    public HubRepoId Repo { get; }

    /// <summary>The hub cache holding all repos.</summary>
    public string CacheDirectory { get; }

    /// <summary><c>{cache}/models--{owner}--{name}</c>.</summary>
    public string RepoFolder { get; }

    /// <summary>The file that holds a blob's content once complete.</summary>
    public string BlobPath(string etag) => Path.Combine(RepoFolder, "blobs", CheckEtag(etag));

    /// <summary>Where a blob's bytes gather while downloading; kept across runs so a later run resumes.</summary>
    public string IncompleteBlobPath(string etag) => BlobPath(etag) + ".incomplete";

    /// <summary>The lock file that keeps two processes from downloading one blob at once (same place as huggingface_hub's).</summary>
    public string BlobLockPath(string etag) => Path.Combine(CacheDirectory, ".locks", Repo.CacheFolderName, CheckEtag(etag) + ".lock");

    /// <summary>The folder that presents the repo's files at <paramref name="commit"/>.</summary>
    public string SnapshotFolder(string commit) => Path.Combine(RepoFolder, "snapshots", CheckCommit(commit));

    /// <summary>A file inside a snapshot; rejects names that would leave the snapshot folder.</summary>
    public string SnapshotFilePath(string commit, string fileName)
    {
        string folder = SnapshotFolder(commit);
        string path = Path.GetFullPath(Path.Combine(folder, fileName));
        if (Path.IsPathRooted(fileName) || !path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new HubException($"refusing the repo file name '{fileName}' of {Repo}: it points outside the snapshot folder");
        }

        return path;
    }

    /// <summary>Whether the snapshot holds <paramref name="fileName"/> with its blob present (a dangling link does not count).</summary>
    public bool HasSnapshotFile(string commit, string fileName) => File.Exists(SnapshotFilePath(commit, fileName));

    /// <summary>The commit a revision stands for: itself when a commit sha, else what <c>refs/{revision}</c> says.</summary>
    public string? ResolveCommit(string revision)
    {
        if (HubRevisions.IsCommitSha(revision))
        {
            return revision;
        }

        string path = RefPath(revision);
        return File.Exists(path) && File.ReadAllText(path).Trim() is { } commit && HubRevisions.IsCommitSha(commit) ? commit : null;
    }

    /// <summary>Records that <paramref name="revision"/> points at <paramref name="commit"/> (nothing to record for a sha).</summary>
    public void WriteRef(string revision, string commit)
    {
        CheckCommit(commit);
        if (revision == commit)
        {
            return;
        }

        string path = RefPath(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Write then rename, so a concurrent reader sees the old or the new sha, never half a file.
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, commit);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Points <c>snapshots/{commit}/{fileName}</c> at the blob with a relative symlink (as huggingface_hub does), or
    /// copies the blob where the file system has no symlinks.
    /// </summary>
    public void LinkSnapshotFile(string commit, string fileName, string etag)
    {
        string link = SnapshotFilePath(commit, fileName);
        string blob = BlobPath(etag);
        string folder = Path.GetDirectoryName(link)!;
        Directory.CreateDirectory(folder);

        // Create under a temporary name, then rename over any old link: renames are atomic, so processes that
        // share the cache never see a missing file.
        string temporary = $"{link}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.CreateSymbolicLink(temporary, Path.GetRelativePath(folder, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, temporary);
        }

        File.Move(temporary, link, overwrite: true);
    }

    private string RefPath(string revision) => Path.Combine(RepoFolder, "refs", HubRevisions.Validate(revision));

    private string CheckEtag(string etag) => SafeEtag().IsMatch(etag) && etag is not ("." or "..")
        ? etag
        : throw new HubException($"the hub sent an etag for {Repo} that cannot name a cache file: '{etag}'");

    private static string CheckCommit(string commit) => HubRevisions.IsCommitSha(commit)
        ? commit
        : throw new HubException($"'{commit}' is not a 40-hex commit sha");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex SafeEtag();
}
