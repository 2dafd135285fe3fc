using System.Net;
using System.Net.Http.Headers;

namespace Qwen2VL.Processing.Media;

/// <summary>
/// Downloads http(s) media: redirects are followed here rather than by the handler, so each hop's scheme is checked
/// and each hop's connection goes through the address policy; the body is read under the size limit.
/// </summary>
internal sealed class HttpMediaDownloader : IDisposable
{
    private readonly MediaFetchOptions _options;
    private readonly HttpClient _client;

    public HttpMediaDownloader(MediaFetchOptions options, AddressPolicy policy)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // A proxy would connect on our behalf and bypass the address policy.
            UseProxy = false,
            ConnectTimeout = options.ConnectTimeout,
            ConnectCallback = new PolicyConnector(policy).ConnectAsync,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxResponseHeadersLength = 64,
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
    }

    public async Task<FetchedMedia> DownloadAsync(Uri uri, MediaKind? expected, CancellationToken cancellationToken)
    {
        var current = uri;
        for (int redirects = 0; ; redirects++)
        {
            CheckScheme(current);
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(expected switch
            {
                MediaKind.Image => "image/*",
                MediaKind.Video => "video/*",
                _ => "*/*",
            }));
            using var response = await SendAsync(request, current, cancellationToken).ConfigureAwait(false);
            if (IsRedirect(response.StatusCode))
            {
                if (redirects >= _options.MaxRedirects)
                {
                    throw new MediaUnreachableException(MediaErrorCodes.TooManyRedirects,
                        $"{Safe(uri)} redirected more than {_options.MaxRedirects} times", (int)response.StatusCode);
                }

                var location = response.Headers.Location ?? throw new MediaUnreachableException(MediaErrorCodes.Unreachable,
                    $"{Safe(current)} answered {(int)response.StatusCode} without a Location header", (int)response.StatusCode);
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new MediaUnreachableException(MediaErrorCodes.Unreachable,
                    $"{Safe(current)} answered {(int)response.StatusCode} {response.ReasonPhrase}", (int)response.StatusCode);
            }

            string source = Safe(current);
            MediaTypeCheck.CheckDeclared(response.Content.Headers.ContentType?.MediaType, expected, source);
            long? length = response.Content.Headers.ContentLength;
            if (length > _options.MaxBytes)
            {
                throw new MediaTooLargeException(_options.MaxBytes, $"{source} is {length} bytes; the limit is {_options.MaxBytes}");
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                byte[] data = await BoundedReader.ReadAsync(body, _options.MaxBytes, length, source, cancellationToken).ConfigureAwait(false);
                var (mediaType, kind) = MediaTypeCheck.Detect(data, expected, source);
                return new FetchedMedia(data, mediaType, kind, source);
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is MediaFetchException policyFailure)
        {
            // The connect callback's own errors (forbidden address, unknown host) arrive wrapped.
            throw policyFailure;
        }
        catch (HttpRequestException ex) when (ex.InnerException is TimeoutException)
        {
            throw new MediaTimeoutException($"{Safe(uri)}: no connection within {_options.ConnectTimeout.TotalSeconds:0.###} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new MediaUnreachableException(MediaErrorCodes.Unreachable, $"{Safe(uri)} could not be fetched: {ex.Message}", innerException: ex);
        }
    }

    private void CheckScheme(Uri uri)
    {
        bool https = uri.Scheme == Uri.UriSchemeHttps;
        bool http = uri.Scheme == Uri.UriSchemeHttp;
        if (!https && !(http && _options.AllowPlainHttp))
        {
            throw new MediaFetchException(MediaErrorCodes.InvalidReference,
                $"'{Safe(uri)}' uses the scheme '{uri.Scheme}'; only {(_options.AllowPlainHttp ? "http and https" : "https")} URLs are fetched");
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The URL without user information or query string, which may carry credentials or signatures.</summary>
    internal static string Safe(Uri uri) =>
        uri.IsAbsoluteUri ? uri.GetComponents(UriComponents.Scheme | UriComponents.Host | UriComponents.Port | UriComponents.Path, UriFormat.UriEscaped) : uri.ToString();
}
