using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// The hub's HTTP API as the downloader needs it: a revision's commit and file list, one file's metadata, and
/// a file's content from an offset. Redirects are followed here rather than by the handler so the token is only
/// ever sent to the hub itself (never to the CDN it redirects LFS files to) and so a HEAD can stop at the hub's
/// own answer, which carries the LFS file's checksum.
/// </summary>
public sealed class HubClient
{
    private const int MaxRedirects = 10;
    private readonly HubSettings _settings;
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    /// <summary>Creates a client; <paramref name="httpClient"/> must not follow redirects itself (null creates one that does not).</summary>
    public HubClient(HubSettings settings, ILogger logger, HttpClient? httpClient = null)
    {
        _settings = settings;
        _logger = logger;
        _http = httpClient ?? CreateHttpClient();
    }

    /// <summary>An HttpClient fit for the hub: no automatic redirects, bounded connect and header timeouts.</summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Qwen2VL.Server", "1.0"));
        return http;
    }

    /// <summary>The URL of a file at a revision: <c>{endpoint}/{repo}/resolve/{revision}/{file}</c>.</summary>
    public Uri ResolveUrl(HubRepoId repo, string revision, string fileName) =>
        new($"{Endpoint}/{repo.Owner}/{repo.Name}/resolve/{Uri.EscapeDataString(revision)}/{EscapePath(fileName)}");

    /// <summary>Asks <c>GET {endpoint}/api/models/{repo}/revision/{revision}</c> for the commit sha and the file list.</summary>
    public Task<HubRevision> GetRevisionAsync(HubRepoId repo, string revision, CancellationToken cancellationToken)
    {
        var url = new Uri($"{Endpoint}/api/models/{repo.Owner}/{repo.Name}/revision/{Uri.EscapeDataString(revision)}");
        return _settings.Retry.ExecuteAsync($"GET {url}", async ct =>
        {
            using var response = await SendAsync(HttpMethod.Get, url, followAbsoluteRedirects: true, configure: null, ct).ConfigureAwait(false);
            await EnsureSuccessAsync(response, url, repo, revision, fileName: null, ct).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
            return ParseRevision(json.RootElement, url);
        }, _logger, cancellationToken);
    }

    /// <summary>HEADs a file's resolve URL for its etag and size, following only the hub's own (relative) redirects.</summary>
    public Task<HubFileMetadata> GetFileMetadataAsync(HubRepoId repo, string revision, string fileName, CancellationToken cancellationToken)
    {
        Uri url = ResolveUrl(repo, revision, fileName);
        return _settings.Retry.ExecuteAsync($"HEAD {url}", async ct =>
        {
            // Identity encoding: the sizes must be those of the bytes on disk, not of a compressed transfer.
            using var response = await SendAsync(HttpMethod.Head, url, followAbsoluteRedirects: false,
                request => request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity")), ct).ConfigureAwait(false);
            if ((int)response.StatusCode is < 300 or > 399)
            {
                await EnsureSuccessAsync(response, url, repo, revision, fileName, ct).ConfigureAwait(false);
            }

            string etag = Header(response, "X-Linked-Etag") ?? Header(response, "ETag")
                ?? throw new HubException($"HEAD {url} answered {(int)response.StatusCode} without an ETag; is {Endpoint} a Hugging Face hub?", url, response.StatusCode);
            long? size = long.TryParse(Header(response, "X-Linked-Size"), out long linked) ? linked : response.Content.Headers.ContentLength;
            return new HubFileMetadata(fileName, NormalizeEtag(etag), size);
        }, _logger, cancellationToken);
    }

    /// <summary>
    /// Starts a GET of a file's content from byte <paramref name="offset"/> (a Range request when non-zero),
    /// following redirects to the CDN. The caller owns the response: 200 (whole file), 206 (from the offset) or
    /// 416 (the offset is past the end); any other status throws. Not retried here: the caller resumes.
    /// </summary>
    public async Task<HttpResponseMessage> GetFileAsync(HubRepoId repo, string revision, string fileName, long offset, CancellationToken cancellationToken)
    {
        Uri url = ResolveUrl(repo, revision, fileName);
        var response = await SendAsync(HttpMethod.Get, url, followAbsoluteRedirects: true, request =>
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }
        }, cancellationToken).ConfigureAwait(false);

        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return response;
        }

        try
        {
            await EnsureSuccessAsync(response, url, repo, revision, fileName, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Strips what HTTP wraps around an etag (a weak <c>W/</c> prefix and quotes), as huggingface_hub does, so the
    /// blob names match the ones Python tools write.
    /// </summary>
    public static string NormalizeEtag(string etag)
    {
        string value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }

    private string Endpoint => _settings.Endpoint.ToString().TrimEnd('/');

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, bool followAbsoluteRedirects,
        Action<HttpRequestMessage>? configure, CancellationToken cancellationToken)
    {
        for (int hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            if (_settings.Token is { } token && IsHub(url))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            configure?.Invoke(request);
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode is < 300 or > 399 || response.Headers.Location is not { } location
                || (location.IsAbsoluteUri && !followAbsoluteRedirects))
            {
                return response;
            }

            response.Dispose();
            url = location.IsAbsoluteUri ? location : new Uri(url, location);
        }

        throw new HubException($"more than {MaxRedirects} redirects starting from {url}", url);
    }

    private bool IsHub(Uri url) =>
        Uri.Compare(url, _settings.Endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private async Task EnsureSuccessAsync(HttpResponseMessage response, Uri url, HubRepoId repo, string revision, string? fileName, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? errorCode = Header(response, "X-Error-Code");
        string? hubMessage = Header(response, "X-Error-Message") ?? await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        string said = hubMessage is null ? string.Empty : $" (the hub said: {hubMessage})";
        string answered = $"{response.RequestMessage?.Method ?? HttpMethod.Get} {response.RequestMessage?.RequestUri ?? url} answered {(int)response.StatusCode} {response.ReasonPhrase}{said}";
        string page = $"{Endpoint}/{repo}";

        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                throw new HubAccessDeniedException(_settings.Token is null
                    ? $"{answered}. No token was sent: {repo} may be private or gated, or may not exist. Set HF_TOKEN (or write the token to HF_HOME/token) with a token that can read it."
                    : $"{answered}. The token from HF_TOKEN or HF_HOME/token was rejected or cannot read {repo} (or the repo does not exist).",
                    url, response.StatusCode);
            case HttpStatusCode.Forbidden:
                throw new HubAccessDeniedException(errorCode == "GatedRepo" || (hubMessage?.Contains("gated", StringComparison.OrdinalIgnoreCase) ?? false)
                    ? $"{answered}. {repo} is a gated model: accept its terms at {page} with the account whose token is used."
                    : $"{answered}. The token cannot read {repo}: it may lack read permission, or the model is gated (accept its terms at {page}).",
                    url, response.StatusCode);
            case HttpStatusCode.NotFound:
                throw new HubNotFoundException(errorCode switch
                {
                    "RevisionNotFound" => $"{answered}. {repo} has no revision '{revision}' (branch, tag or commit sha).",
                    "EntryNotFound" => $"{answered}. {repo} at '{revision}' has no file '{fileName}'.",
                    _ when fileName is not null => $"{answered}. {repo} at '{revision}' has no file '{fileName}', or the repo or revision does not exist.",
                    _ => $"{answered}. {repo} does not exist (or has no revision '{revision}'); check the model id at {page}.",
                }, url);
            default:
                throw new HubException($"{answered}.", url, response.StatusCode);
        }
    }

    private static async Task<string?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error)
                ? error.ToString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static HubRevision ParseRevision(JsonElement root, Uri url)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("sha", out var sha) || sha.GetString() is not { } commit
            || !HubRevisions.IsCommitSha(commit) || !root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
        {
            throw new HubException($"GET {url} did not answer with a model revision (a 'sha' of 40 hex digits and a 'siblings' list)", url);
        }

        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sibling in siblings.EnumerateArray())
        {
            if (sibling.TryGetProperty("rfilename", out var name) && name.GetString() is { Length: > 0 } fileName)
            {
                files.Add(fileName);
            }
        }

        return new HubRevision(commit, files);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    private static string EscapePath(string fileName) => string.Join('/', fileName.Split('/').Select(Uri.EscapeDataString));
}
