using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Qwen2VL.Server.Hub;

/// <summary>A model repository on the hub, <c>owner/name</c> (for example <c>Qwen/Qwen2-VL-2B-Instruct</c>).</summary>
public sealed partial record HubRepoId
{
    private HubRepoId(string owner, string name)
    {
        Owner = owner;
        Name = name;
    }

    /// <summary>The user or organisation that owns the repository.</summary>
    public string Owner { get; }

    /// <summary>The repository name within its owner.</summary>
    public string Name { get; }

    /// <summary>
    /// The repository's folder in the huggingface_hub cache, <c>models--{owner}--{name}</c>, so Python tools and
    /// this server share downloads.
    /// </summary>
    public string CacheFolderName => $"models--{Owner}--{Name}";

    /// <summary>Parses <c>owner/name</c>; throws <see cref="ArgumentException"/> naming the rule that failed.</summary>
    public static HubRepoId Parse(string value) => TryParse(value, out var id, out string? error)
        ? id
        : throw new ArgumentException(error, nameof(value));

    /// <summary>Parses <c>owner/name</c> with the hub's naming rules; <paramref name="error"/> says why not.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out HubRepoId? id, [NotNullWhen(false)] out string? error)
    {
        id = null;
        string[] parts = (value ?? string.Empty).Split('/');
        if (parts.Length != 2)
        {
            error = $"'{value}' is not a hub repo id: expected 'owner/name' such as 'Qwen/Qwen2-VL-2B-Instruct'";
            return false;
        }

        foreach (string part in parts)
        {
            // The hub's rules (huggingface_hub validate_repo_id): letters, digits, '-', '_', '.', at most 96 chars,
            // no '--' or '..', and no leading or trailing '-' or '.'.
            if (part.Length is 0 or > 96 || !AllowedName().IsMatch(part) || part.Contains("--", StringComparison.Ordinal)
                || part.Contains("..", StringComparison.Ordinal) || part[0] is '-' or '.' || part[^1] is '-' or '.')
            {
                error = $"'{value}' is not a hub repo id: '{part}' must be 1-96 letters, digits, '-', '_' or '.', " +
                    "without '--' or '..' and not starting or ending with '-' or '.'";
                return false;
            }
        }

        id = new HubRepoId(parts[0], parts[1]);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Owner}/{Name}";

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex AllowedName();
}
