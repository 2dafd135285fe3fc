using Qwen2VL.Processing.Media;

namespace Qwen2VL.Processing.Tests.Media;

public class HttpFetchTests(MediaTestServer server) : IClassFixture<MediaTestServer>
{
    private static MediaFetcher LoopbackFetcher(MediaFetchOptions? options = null) =>
        new((options ?? new MediaFetchOptions()) with { AllowLoopback = true });

    [Fact]
    public async Task FetchAsync_PngUrl_ReturnsBytesAndDetectedType()
    {
        using var fetcher = LoopbackFetcher();

        var media = await fetcher.FetchAsync(server.Url("/image.png").ToString(), MediaKind.Image);

        Assert.Equal(MediaTestServer.Png, media.Data.ToArray());
        Assert.Equal("image/png", media.MediaType);
        Assert.Equal(MediaKind.Image, media.Kind);
    }

    [Fact]
    public async Task FetchAsync_OctetStreamWithPngBytes_DetectsPng()
    {
        using var fetcher = LoopbackFetcher();
        var media = await fetcher.FetchAsync(server.Url("/untyped").ToString(), MediaKind.Image);
        Assert.Equal("image/png", media.MediaType);
    }

    [Fact]
    public async Task FetchAsync_Mp4Url_DetectsVideo()
    {
        using var fetcher = LoopbackFetcher();
        var media = await fetcher.FetchAsync(server.Url("/video.mp4").ToString(), MediaKind.Video);
        Assert.Equal(("video/mp4", MediaKind.Video), (media.MediaType, media.Kind));
    }

    [Fact]
    public async Task FetchAsync_LoopbackByDefault_IsForbidden()
    {
        using var fetcher = new MediaFetcher(new MediaFetchOptions());

        var ex = await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() => fetcher.FetchAsync(server.Url("/image.png").ToString()));

        Assert.Equal(MediaErrorCodes.ForbiddenAddress, ex.Code);
        Assert.Contains("127.0.0.1 (Loopback)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_HostNameResolvingToLoopback_IsForbiddenAtConnectTime()
    {
        using var fetcher = new MediaFetcher(new MediaFetchOptions());

        var ex = await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() => fetcher.FetchAsync($"http://localhost:{server.Port}/image.png"));

        Assert.Equal(MediaErrorCodes.ForbiddenAddress, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_AllowedNetworkEntry_AllowsJustThatAddress()
    {
        using var fetcher = new MediaFetcher(new MediaFetchOptions { AllowedNetworks = ["127.0.0.1/32"] });
        var media = await fetcher.FetchAsync(server.Url("/image.png").ToString(), MediaKind.Image);
        Assert.Equal("image/png", media.MediaType);
    }

    [Fact]
    public async Task FetchAsync_RedirectChainWithinLimit_FollowsToTheImage()
    {
        using var fetcher = LoopbackFetcher();

        var media = await fetcher.FetchAsync(server.Url("/redirect/3").ToString(), MediaKind.Image);

        Assert.Equal("image/png", media.MediaType);
        Assert.EndsWith("/image.png", media.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_TooManyRedirects_Throws()
    {
        using var fetcher = LoopbackFetcher(new MediaFetchOptions { MaxRedirects = 2 });

        var ex = await Assert.ThrowsAsync<MediaUnreachableException>(() => fetcher.FetchAsync(server.Url("/redirect/3").ToString()));

        Assert.Equal(MediaErrorCodes.TooManyRedirects, ex.Code);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1/image.png")]
    [InlineData("http://[::ffff:192.168.1.1]/image.png")]
    public async Task FetchAsync_RedirectToForbiddenAddress_IsRefused(string target)
    {
        // Loopback is allowed so the first hop reaches the test server; the hop it redirects to is not.
        using var fetcher = LoopbackFetcher();

        var ex = await Assert.ThrowsAsync<ForbiddenMediaSourceException>(() =>
            fetcher.FetchAsync(server.Url("/redirect-to?url=" + Uri.EscapeDataString(target)).ToString()));

        Assert.Equal(MediaErrorCodes.ForbiddenAddress, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_RedirectToFileScheme_IsRefused()
    {
        using var fetcher = LoopbackFetcher();

        var ex = await Assert.ThrowsAsync<MediaFetchException>(() =>
            fetcher.FetchAsync(server.Url("/redirect-to?url=" + Uri.EscapeDataString("file:///etc/passwd")).ToString()));

        Assert.Equal(MediaErrorCodes.InvalidReference, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_DeclaredLengthOverLimit_ThrowsTooLarge()
    {
        using var fetcher = LoopbackFetcher(new MediaFetchOptions { MaxBytes = 1_000_000 });

        var ex = await Assert.ThrowsAsync<MediaTooLargeException>(() => fetcher.FetchAsync(server.Url("/big-declared").ToString()));

        Assert.Equal(MediaErrorCodes.TooLarge, ex.Code);
        Assert.Contains("2000000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_StreamedBodyOverLimit_ThrowsTooLarge()
    {
        using var fetcher = LoopbackFetcher(new MediaFetchOptions { MaxBytes = 1_000_000 });

        var ex = await Assert.ThrowsAsync<MediaTooLargeException>(() => fetcher.FetchAsync(server.Url("/big-streamed").ToString()));

        Assert.Equal(1_000_000, ex.LimitBytes);
    }

    [Fact]
    public async Task FetchAsync_SlowServer_ThrowsTimeout()
    {
        using var fetcher = LoopbackFetcher(new MediaFetchOptions { Timeout = TimeSpan.FromMilliseconds(500) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MediaTimeoutException>(() => fetcher.FetchAsync(server.Url("/slow").ToString()));

        Assert.Equal(MediaErrorCodes.Timeout, ex.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task FetchAsync_CallerCancels_ThrowsOperationCanceledNotTimeout()
    {
        using var fetcher = LoopbackFetcher();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetcher.FetchAsync(server.Url("/slow").ToString(), cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task FetchAsync_HtmlWhereImageExpected_ThrowsUnsupportedType()
    {
        using var fetcher = LoopbackFetcher();

        var ex = await Assert.ThrowsAsync<UnsupportedMediaTypeException>(() => fetcher.FetchAsync(server.Url("/page.html").ToString(), MediaKind.Image));

        Assert.Contains("text/html", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_ImageTypeWithHtmlBytes_ThrowsUnsupportedType()
    {
        using var fetcher = LoopbackFetcher();
        var ex = await Assert.ThrowsAsync<UnsupportedMediaTypeException>(() => fetcher.FetchAsync(server.Url("/fake.png").ToString(), MediaKind.Image));
        Assert.Equal(MediaErrorCodes.UnsupportedMediaType, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_ImageWhereVideoExpected_ThrowsUnsupportedType()
    {
        using var fetcher = LoopbackFetcher();
        await Assert.ThrowsAsync<UnsupportedMediaTypeException>(() => fetcher.FetchAsync(server.Url("/image.png").ToString(), MediaKind.Video));
    }

    [Fact]
    public async Task FetchAsync_NotFound_ThrowsUnreachableWithStatus()
    {
        using var fetcher = LoopbackFetcher();

        var ex = await Assert.ThrowsAsync<MediaUnreachableException>(() => fetcher.FetchAsync(server.Url("/missing").ToString()));

        Assert.Equal(MediaErrorCodes.Unreachable, ex.Code);
        Assert.Equal(404, ex.StatusCode);
    }

    [Fact]
    public async Task FetchAsync_ClosedPort_ThrowsUnreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var fetcher = LoopbackFetcher();

        var ex = await Assert.ThrowsAsync<MediaUnreachableException>(() => fetcher.FetchAsync($"http://127.0.0.1:{port}/x.png"));

        Assert.Equal(MediaErrorCodes.Unreachable, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_PlainHttpDisabled_IsRefused()
    {
        using var fetcher = LoopbackFetcher(new MediaFetchOptions { AllowPlainHttp = false });
        var ex = await Assert.ThrowsAsync<MediaFetchException>(() => fetcher.FetchAsync(server.Url("/image.png").ToString()));
        Assert.Equal(MediaErrorCodes.InvalidReference, ex.Code);
    }
}
