using Qwen2VL.Processing.Media;

namespace Qwen2VL.Processing.Tests.Media;

public class DataUrlTests
{
    private static readonly MediaFetcher Fetcher = new(new MediaFetchOptions { MaxBytes = 100_000 });

    private static string PngDataUrl(string mediaType = "image/png") =>
        $"data:{mediaType};base64,{Convert.ToBase64String(MediaTestServer.Png)}";

    [Fact]
    public async Task FetchAsync_PngDataUrl_DecodesAndDetectsPng()
    {
        var media = await Fetcher.FetchAsync(PngDataUrl(), MediaKind.Image);

        Assert.Equal(MediaTestServer.Png, media.Data.ToArray());
        Assert.Equal("image/png", media.MediaType);
        Assert.DoesNotContain(Convert.ToBase64String(MediaTestServer.Png)[..20], media.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_PercentEncodedAndWrappedBase64_Decodes()
    {
        string base64 = Convert.ToBase64String(MediaTestServer.Png, Base64FormattingOptions.InsertLineBreaks)
            .Replace("+", "%2B", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal);

        var media = await Fetcher.FetchAsync($"DATA:image/png;base64,{base64}", MediaKind.Image);

        Assert.Equal(MediaTestServer.Png, media.Data.ToArray());
    }

    [Fact]
    public async Task FetchAsync_InvalidBase64_ThrowsInvalidBase64()
    {
        var ex = await Assert.ThrowsAsync<MediaFetchException>(() => Fetcher.FetchAsync("data:image/png;base64,iVBOR*w0KGgo="));
        Assert.Equal(MediaErrorCodes.InvalidBase64, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_NotBase64Encoded_ThrowsInvalidDataUrl()
    {
        var ex = await Assert.ThrowsAsync<MediaFetchException>(() => Fetcher.FetchAsync("data:image/png,%89PNG"));
        Assert.Equal(MediaErrorCodes.InvalidDataUrl, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_NoComma_ThrowsInvalidDataUrl()
    {
        var ex = await Assert.ThrowsAsync<MediaFetchException>(() => Fetcher.FetchAsync("data:image/png;base64"));
        Assert.Equal(MediaErrorCodes.InvalidDataUrl, ex.Code);
    }

    [Fact]
    public async Task FetchAsync_TextMediaType_ThrowsUnsupportedType()
    {
        var ex = await Assert.ThrowsAsync<UnsupportedMediaTypeException>(() => Fetcher.FetchAsync(PngDataUrl("text/plain"), MediaKind.Image));
        Assert.Contains("text/plain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_VideoTypeWhereImageExpected_ThrowsUnsupportedType()
    {
        await Assert.ThrowsAsync<UnsupportedMediaTypeException>(() => Fetcher.FetchAsync(PngDataUrl("video/mp4"), MediaKind.Image));
    }

    [Fact]
    public async Task FetchAsync_NoMediaType_TheBytesDecide()
    {
        var media = await Fetcher.FetchAsync(PngDataUrl(""));
        Assert.Equal(("image/png", MediaKind.Image), (media.MediaType, media.Kind));
    }

    [Fact]
    public async Task FetchAsync_PayloadOverLimit_ThrowsTooLargeBeforeDecoding()
    {
        string huge = "data:image/png;base64," + new string('A', 400_000);

        var ex = await Assert.ThrowsAsync<MediaTooLargeException>(() => Fetcher.FetchAsync(huge));

        Assert.Equal(100_000, ex.LimitBytes);
    }

    [Fact]
    public async Task FetchAsync_DataUrlsDisabled_IsRefused()
    {
        using var fetcher = new MediaFetcher(new MediaFetchOptions { AllowDataUrls = false });
        var ex = await Assert.ThrowsAsync<MediaFetchException>(() => fetcher.FetchAsync(PngDataUrl()));
        Assert.Equal(MediaErrorCodes.InvalidReference, ex.Code);
    }
}
