using Qwen2VL.Processing.Images;
using SkiaSharp;

namespace Qwen2VL.Processing.Tests.Images;

public sealed class ImageDecoderTests
{
    private static readonly ImageDecoder Decoder = new();

    private static (byte, byte, byte) Pattern(int x, int y) => ((byte)(x * 37), (byte)(y * 53), (byte)((x + y) * 11));

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, ImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Webp, ImageFormat.WebP)]
    public void Decode_LosslessFormats_ReturnsExactRgb(SKEncodedImageFormat encoding, ImageFormat format)
    {
        byte[] data = TestImages.Encode(7, 5, Pattern, encoding, quality: 100);

        var header = Decoder.ReadHeader(data);
        var image = Decoder.Decode(data);

        Assert.Equal((format, 7, 5), (header.Format, header.Width, header.Height));
        AssertPattern(image, 7, 5, tolerance: 0);
    }

    [Fact]
    public void Decode_Bmp_ReturnsExactRgb()
    {
        var image = Decoder.Decode(TestImages.Bmp(5, 3, Pattern));

        AssertPattern(image, 5, 3, tolerance: 0);
    }

    [Fact]
    public void Decode_Jpeg_ReturnsCloseRgb()
    {
        byte[] data = TestImages.Encode(64, 48, (x, y) => ((byte)(x * 4), (byte)(y * 5), 128), SKEncodedImageFormat.Jpeg, 100);

        var image = Decoder.Decode(data);

        Assert.Equal(ImageFormat.Jpeg, Decoder.ReadHeader(data).Format);
        Assert.Equal((64, 48), (image.Width, image.Height));
        int at = ((20 * 64) + 30) * 3;
        Assert.InRange(image.Pixels[at], 120 - 4, 120 + 4);
        Assert.InRange(image.Pixels[at + 1], 100 - 4, 100 + 4);
        Assert.InRange(image.Pixels[at + 2], 128 - 4, 128 + 4);
    }

    [Fact]
    public void Decode_AnimatedGif_ReturnsFirstFrame()
    {
        var image = Decoder.Decode(TestImages.TwoFrameGif());

        Assert.Equal(ImageFormat.Gif, Decoder.ReadHeader(TestImages.TwoFrameGif()).Format);
        Assert.Equal(new byte[] { 255, 0, 0 }, image.Pixels);
    }

    [Fact]
    public void Decode_JpegWithExifRotation_ReturnsUprightImage()
    {
        // Stored 32×16: left half red, right half blue. Orientation 6 means "rotate 90° clockwise to view".
        byte[] stored = TestImages.Encode(32, 16, (x, _) => x < 16 ? ((byte)255, (byte)0, (byte)0) : ((byte)0, (byte)0, (byte)255),
            SKEncodedImageFormat.Jpeg, 100);
        byte[] data = TestImages.WithExifOrientation(stored, 6);

        var header = Decoder.ReadHeader(data);
        var image = Decoder.Decode(data);

        Assert.Equal(ImageOrientation.RightTop, header.Orientation);
        Assert.Equal((16, 32), (header.Width, header.Height));
        Assert.Equal((16, 32), (image.Width, image.Height));
        Assert.True(image.Pixels[((4 * 16) + 8) * 3] > 200, "top half should be red (the stored left half)");
        Assert.True(image.Pixels[(((28 * 16) + 8) * 3) + 2] > 200, "bottom half should be blue (the stored right half)");
    }

    [Fact]
    public void Decode_EmptyData_ThrowsUnknownFormat()
    {
        var error = Assert.Throws<InvalidInputException>(() => Decoder.Decode([]));

        Assert.Equal(ImageErrorCodes.UnknownFormat, error.Code);
    }

    [Fact]
    public void Decode_NotAnImage_ThrowsUnknownFormatWithFirstBytes()
    {
        var error = Assert.Throws<InvalidInputException>(() => Decoder.Decode("%PDF-1.7 this is not an image"u8));

        Assert.Equal(ImageErrorCodes.UnknownFormat, error.Code);
        Assert.Contains("255044462D", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void Decode_TruncatedFile_ThrowsTruncated(SKEncodedImageFormat format)
    {
        byte[] whole = TestImages.Encode(64, 64, Pattern, format, 90);

        var error = Assert.Throws<InvalidInputException>(() => Decoder.Decode(whole.AsSpan(0, whole.Length / 2)));

        Assert.Equal(ImageErrorCodes.Truncated, error.Code);
    }

    [Fact]
    public void Decode_TruncatedHeader_ThrowsTypedError()
    {
        byte[] whole = TestImages.Encode(8, 8, Pattern, SKEncodedImageFormat.Png);

        var error = Assert.Throws<InvalidInputException>(() => Decoder.Decode(whole.AsSpan(0, 20)));

        Assert.Equal(ImageErrorCodes.Truncated, error.Code);
    }

    [Fact]
    public void Decode_HeaderOverPixelLimit_RefusedBeforeDecoding()
    {
        // The file has no pixel data at all: only the header is read before refusing it.
        byte[] bomb = TestImages.PngHeaderOnly(100_000, 100_000);

        var header = Decoder.ReadHeader(bomb);
        var error = Assert.Throws<InvalidInputException>(() => Decoder.Decode(bomb));

        Assert.Equal((100_000, 100_000), (header.Width, header.Height));
        Assert.Equal(ImageErrorCodes.TooLarge, error.Code);
        Assert.Contains("10000000000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ConfiguredPixelLimit_IsEnforced()
    {
        var decoder = new ImageDecoder(new ImageDecoderOptions { MaxPixels = 100 });
        byte[] data = TestImages.Encode(11, 10, Pattern, SKEncodedImageFormat.Png);

        var error = Assert.Throws<InvalidInputException>(() => decoder.Decode(data));

        Assert.Equal(ImageErrorCodes.TooLarge, error.Code);
    }

    private static void AssertPattern(RgbImage image, int width, int height, int tolerance)
    {
        Assert.Equal((width, height), (image.Width, image.Height));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = Pattern(x, y);
                int at = ((y * width) + x) * 3;
                Assert.InRange(image.Pixels[at], r - tolerance, r + tolerance);
                Assert.InRange(image.Pixels[at + 1], g - tolerance, g + tolerance);
                Assert.InRange(image.Pixels[at + 2], b - tolerance, b + tolerance);
            }
        }
    }
}
