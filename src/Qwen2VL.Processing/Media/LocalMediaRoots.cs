namespace Qwen2VL.Processing.Media;

/// <summary>
/// The folders local media may come from. A path is accepted only when its real location — after removing
/// <c>..</c> segments and following every symbolic link along it — lies inside the real location of a root.
/// </summary>
public sealed class LocalMediaRoots
{
    private const int MaxLinkHops = 40;
    private readonly string[] _roots;

    /// <summary>Resolves the configured roots once; roots that do not exist are kept as written and match nothing real.</summary>
    public LocalMediaRoots(IEnumerable<string> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        _roots = [.. roots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => Path.TrimEndingDirectorySeparator(RealPath(r)))];
    }

    /// <summary>Whether any root is configured (with none, every local reference is refused).</summary>
    public bool IsEnabled => _roots.Length > 0;

    /// <summary>
    /// The real path of <paramref name="path"/> if it lies inside a root; otherwise throws
    /// <see cref="ForbiddenMediaSourceException"/> with code <c>forbidden_path</c>.
    /// </summary>
    public string Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!IsEnabled)
        {
            throw new ForbiddenMediaSourceException(MediaErrorCodes.ForbiddenPath, "local files are not enabled on this server");
        }

        if (!Path.IsPathFullyQualified(path))
        {
            throw new ForbiddenMediaSourceException(MediaErrorCodes.ForbiddenPath, $"local paths must be absolute, got '{path}'");
        }

        string real = RealPath(path);
        foreach (string root in _roots)
        {
            if (real.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return real;
            }
        }

        throw new ForbiddenMediaSourceException(MediaErrorCodes.ForbiddenPath, $"'{path}' is outside the folders media may be read from");
    }

    /// <summary>
    /// The canonical path: absolute, without <c>.</c>/<c>..</c>, with every symbolic link component replaced by its
    /// target. .NET has no realpath, and <see cref="FileSystemInfo.ResolveLinkTarget"/> resolves only the last component.
    /// </summary>
    internal static string RealPath(string path)
    {
        int hops = 0;
        return Resolve(Path.GetFullPath(path), ref hops);
    }

    private static string Resolve(string fullPath, ref int hops)
    {
        string root = Path.GetPathRoot(fullPath)!;
        string current = root;
        string[] parts = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        foreach (string part in parts)
        {
            string next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is string target)
            {
                if (++hops > MaxLinkHops)
                {
                    throw new ForbiddenMediaSourceException(MediaErrorCodes.ForbiddenPath, $"too many symbolic links while resolving '{fullPath}'");
                }

                next = Resolve(Path.GetFullPath(target, current), ref hops);
            }

            current = next;
        }

        return current;
    }
}
