namespace Qwen2VL.Server.Tests.Hub;

/// <summary>One request the fake hub received.</summary>
/// <param name="Method">GET or HEAD.</param>
/// <param name="Port">The port it came in on (the hub's or the CDN's).</param>
/// <param name="Path">The URL path.</param>
/// <param name="Range">The Range header, if any.</param>
/// <param name="Authorization">The Authorization header, if any.</param>
public sealed record RecordedRequest(string Method, int Port, string Path, string? Range, string? Authorization)
{
    /// <summary>Whether this request fetched file content (GET on a resolve or CDN URL).</summary>
    public bool IsContentDownload => Method == "GET" && (Path.Contains("/resolve/", StringComparison.Ordinal) || Path.StartsWith("/cdn/", StringComparison.Ordinal));
}
