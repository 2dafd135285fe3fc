namespace Qwen2VL.Processing.Media;

/// <summary>
/// What the media fetcher may read and how much; bindable with <c>Microsoft.Extensions.Options</c>
/// (<c>services.Configure&lt;MediaFetchOptions&gt;(configuration.GetSection("MediaFetch"))</c>). The defaults are
/// safe for a public server: remote http(s) and data URLs only, public addresses only, no local files.
/// </summary>
public sealed record MediaFetchOptions
{
    /// <summary>The largest content accepted from any source, in bytes (default 64 MiB).</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long one TCP connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a whole fetch may take: every redirect hop, connection and the full body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most redirects followed; every hop is checked against the address policy.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Whether <c>http://</c> and <c>https://</c> URLs are fetched at all.</summary>
    public bool AllowRemote { get; init; } = true;

    /// <summary>Whether plain <c>http://</c> is accepted next to <c>https://</c>.</summary>
    public bool AllowPlainHttp { get; init; } = true;

    /// <summary>Whether <c>data:</c> URLs are accepted.</summary>
    public bool AllowDataUrls { get; init; } = true;

    /// <summary>Allow loopback addresses (127.0.0.0/8, ::1). Off by default: they reach this server's own services.</summary>
    public bool AllowLoopback { get; init; }

    /// <summary>Allow private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). Off by default.</summary>
    public bool AllowPrivateNetworks { get; init; }

    /// <summary>Allow link-local addresses (169.254/16 — including cloud metadata services — and fe80::/10). Off by default.</summary>
    public bool AllowLinkLocal { get; init; }

    /// <summary>Networks in CIDR notation (e.g. <c>10.1.2.0/24</c>) allowed whatever their category.</summary>
    public IReadOnlyList<string> AllowedNetworks { get; init; } = [];

    /// <summary>
    /// Folders whose files may be referenced by <c>file://</c> URL or absolute path. Empty (the default) refuses every
    /// local file. Symbolic links are resolved before the check, so a link cannot lead outside.
    /// </summary>
    public IReadOnlyList<string> LocalRoots { get; init; } = [];

    /// <summary>The User-Agent sent with remote requests.</summary>
    public string UserAgent { get; init; } = "Qwen2VL.Cluster-MediaFetcher/1.0";
}
