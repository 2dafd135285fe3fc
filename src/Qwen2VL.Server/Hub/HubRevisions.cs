using System.Text.RegularExpressions;

namespace Qwen2VL.Server.Hub;

/// <summary>Names and rules for git revisions on the hub (branches, tags and commit shas).</summary>
public static partial class HubRevisions
{
    /// <summary>The revision used when none is given.</summary>
    public const string Default = "main";

    /// <summary>Whether <paramref name="revision"/> is a full 40-hex commit sha (which never moves).</summary>
    public static bool IsCommitSha(string revision) => CommitSha().IsMatch(revision);

    /// <summary>
    /// Checks a revision before it is used in URLs and as a file name under <c>refs/</c>; branch names may hold
    /// '/', but never '..' or a leading '/'.
    /// </summary>
    public static string Validate(string revision)
    {
        if (string.IsNullOrWhiteSpace(revision) || revision.StartsWith('/') || revision.EndsWith('/')
            || revision.Split('/').Any(part => part is "" or "." or ".." || part.Any(char.IsControl)))
        {
            throw new ArgumentException($"'{revision}' is not a valid revision (branch, tag or commit sha)", nameof(revision));
        }

        return revision;
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitSha();
}
