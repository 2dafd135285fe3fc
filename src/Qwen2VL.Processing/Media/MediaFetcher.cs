namespace Qwen2VL.Processing.Media;

/// <summary>
/// Resolves a media reference from a request — an <c>http(s)://</c> URL, a <c>data:</c> URL, or a local file under
/// a configured root — to its bytes and detected type, under the limits and address policy of
/// <see cref="MediaFetchOptions"/>. Thread-safe; create one per set of options and reuse it (it pools connections).
/// </summary>
public sealed class MediaFetcher : IDisposable
{
    private readonly MediaFetchOptions _options;
    private readonly HttpMediaDownloader _http;
    private readonly LocalMediaRoots _localRoots;

    /// <summary>Creates a fetcher; the options' networks and roots are validated and resolved here.</summary>
    public MediaFetcher(MediaFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRedirects);
        _options = options;
        _http = new HttpMediaDownloader(options, new AddressPolicy(options));
        _localRoots = new LocalMediaRoots(options.LocalRoots);
    }

    /// <summary>The largest content accepted from any one reference, in bytes.</summary>
    public long MaxBytes => _options.MaxBytes;

    /// <summary>Fetches <paramref name="reference"/> and checks that it is an image or a video as <paramref name="expected"/> says.</summary>
    /// <param name="reference">An http(s) URL, a data URL, a file:// URL, or an absolute path.</param>
    /// <param name="expected">The kind the caller needs, or null to accept either.</param>
    /// <param name="cancellationToken">Cancels the fetch (then <see cref="OperationCanceledException"/> is thrown, not a timeout).</param>
    /// <exception cref="MediaFetchException">The reference cannot be used; the code says why.</exception>
    public async Task<FetchedMedia> FetchAsync(string reference, MediaKind? expected = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        reference = reference.Trim();
        if (DataUrl.IsDataUrl(reference))
        {
            return FromDataUrl(reference, expected);
        }

        if (Uri.TryCreate(reference, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return await FromHttpAsync(uri, expected, cancellationToken).ConfigureAwait(false);
        }

        if (uri is { IsFile: true } || Path.IsPathFullyQualified(reference))
        {
            string path = uri is { IsFile: true } ? uri.LocalPath : reference;
            return await FromFileAsync(path, expected, cancellationToken).ConfigureAwait(false);
        }

        throw new MediaFetchException(MediaErrorCodes.InvalidReference,
            $"'{Shorten(reference)}' is not an http(s) URL, a data URL or an absolute file path");
    }

    public void Dispose() => _http.Dispose();

    private FetchedMedia FromDataUrl(string reference, MediaKind? expected)
    {
        if (!_options.AllowDataUrls)
        {
            throw new MediaFetchException(MediaErrorCodes.InvalidReference, "data URLs are not accepted by this server");
        }

        var dataUrl = DataUrl.Parse(reference, _options.MaxBytes);
        string source = $"data:{dataUrl.MediaType ?? "(no type)"};base64 ({dataUrl.Data.Length} bytes)";
        MediaTypeCheck.CheckDeclared(dataUrl.MediaType, expected, "the data URL");
        var (mediaType, kind) = MediaTypeCheck.Detect(dataUrl.Data, expected, "the data URL");
        return new FetchedMedia(dataUrl.Data, mediaType, kind, source);
    }

    private async Task<FetchedMedia> FromHttpAsync(Uri uri, MediaKind? expected, CancellationToken cancellationToken)
    {
        if (!_options.AllowRemote)
        {
            throw new MediaFetchException(MediaErrorCodes.InvalidReference, "remote URLs are not accepted by this server");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            return await _http.DownloadAsync(uri, expected, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Both the overall limit and the handler's connect timeout end up here.
            throw new MediaTimeoutException(
                $"{HttpMediaDownloader.Safe(uri)} did not deliver within {_options.Timeout.TotalSeconds:0.###} s (connect limit {_options.ConnectTimeout.TotalSeconds:0.###} s)", ex);
        }
    }

    private async Task<FetchedMedia> FromFileAsync(string path, MediaKind? expected, CancellationToken cancellationToken)
    {
        string real = _localRoots.Resolve(path);
        var info = new FileInfo(real);
        if (!info.Exists)
        {
            throw new MediaUnreachableException(MediaErrorCodes.Unreachable, $"'{path}' does not exist or is not a file");
        }

        if (info.Length > _options.MaxBytes)
        {
            throw new MediaTooLargeException(_options.MaxBytes, $"'{path}' is {info.Length} bytes; the limit is {_options.MaxBytes}");
        }

        var stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            byte[] data = await BoundedReader.ReadAsync(stream, _options.MaxBytes, info.Length, $"'{path}'", cancellationToken).ConfigureAwait(false);
            var (mediaType, kind) = MediaTypeCheck.Detect(data, expected, $"'{path}'");
            return new FetchedMedia(data, mediaType, kind, real);
        }
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
