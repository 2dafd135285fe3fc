namespace Qwen2VL.Server.Hub;

/// <summary>
/// Where the hub is, who we are to it and where files are cached. <see cref="FromEnvironment"/> reads the same
/// environment variables as huggingface_hub, so both share one cache and one token.
/// </summary>
public sealed record HubSettings
{
    /// <summary>The public hub, used when <c>HF_ENDPOINT</c> is not set.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The hub's base address (<c>HF_ENDPOINT</c>).</summary>
    public Uri Endpoint { get; init; } = new(DefaultEndpoint);

    /// <summary>The hub cache folder holding <c>models--owner--name</c> folders.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>The access token sent as a Bearer header, or null for anonymous access.</summary>
    public string? Token { get; init; }

    /// <summary>When true, nothing is fetched: models resolve from the cache only (<c>HF_HUB_OFFLINE=1</c>).</summary>
    public bool Offline { get; init; }

    /// <summary>How often transient failures (5xx, dropped connections, timeouts) are retried.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>How long a download may receive nothing before the attempt counts as a dropped connection.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reads <c>HF_ENDPOINT</c>, <c>HF_HUB_CACHE</c>, <c>HF_HOME</c>, <c>XDG_CACHE_HOME</c>, <c>HF_TOKEN</c>,
    /// <c>HF_TOKEN_PATH</c> and <c>HF_HUB_OFFLINE</c>, with huggingface_hub's defaults and precedence.
    /// </summary>
    /// <param name="getVariable">Reads one variable; the process environment when null (tests pass their own).</param>
    public static HubSettings FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => getVariable(name) is { Length: > 0 } value ? value : null;

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string hfHome = ExpandHome(Get("HF_HOME"), home)
            ?? Path.Combine(ExpandHome(Get("XDG_CACHE_HOME"), home) ?? Path.Combine(home, ".cache"), "huggingface");
        string cache = ExpandHome(Get("HF_HUB_CACHE"), home)
            ?? ExpandHome(Get("HUGGINGFACE_HUB_CACHE"), home)
            ?? Path.Combine(hfHome, "hub");
        string tokenPath = ExpandHome(Get("HF_TOKEN_PATH"), home) ?? Path.Combine(hfHome, "token");

        return new HubSettings
        {
            Endpoint = new Uri((Get("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/')),
            CacheDirectory = cache,
            Token = Get("HF_TOKEN")?.Trim() ?? ReadTokenFile(tokenPath),
            Offline = IsTrue(Get("HF_HUB_OFFLINE")),
        };
    }

    // The same truthy spellings huggingface_hub accepts for its boolean variables.
    private static bool IsTrue(string? value) =>
        value is not null && (value.Equals("1", StringComparison.Ordinal) || value.Equals("ON", StringComparison.OrdinalIgnoreCase)
            || value.Equals("YES", StringComparison.OrdinalIgnoreCase) || value.Equals("TRUE", StringComparison.OrdinalIgnoreCase));

    private static string? ExpandHome(string? path, string home) =>
        path is null ? null
        : path == "~" ? home
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..])
        : path;

    private static string? ReadTokenFile(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
}
