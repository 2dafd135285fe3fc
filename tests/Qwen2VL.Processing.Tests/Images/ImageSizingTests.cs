using Qwen2VL.Processing.Images;
using SkiaSharp;

namespace Qwen2VL.Processing.Tests.Images;

public sealed class ImageSizingTests
{
    private static readonly VisionPreprocessorOptions Real = new();

    [Fact]
    public void TargetSize_NoRequest_UsesProcessorRule()
    {
        Assert.Equal((1092, 1932), ImageSizing.TargetSize(1080, 1920, Real));
    }

    [Fact]
    public void TargetSize_RequestMaxPixels_UsesQwenVlUtilsBudget()
    {
        // vision_utils_goldens: 480×640 with max_pixels 50176 → 168×252.
        var request = new ImageSizeRequest { MaxPixels = 50176 };

        Assert.Equal((168, 252), ImageSizing.TargetSize(480, 640, Real, request));
    }

    [Fact]
    public void TargetSize_ExplicitResizedSize_IsRoundedToFactor()
    {
        var request = new ImageSizeRequest { ResizedHeight = 60, ResizedWidth = 100 };

        Assert.Equal((56, 112), ImageSizing.TargetSize(1080, 1920, Real, request));
    }

    [Fact]
    public void TargetSize_RequestAboveCheckpointLimit_IsHeldToCheckpointMaxPixels()
    {
        var checkpoint = new VisionPreprocessorOptions { MaxPixels = 28224 };
        var request = new ImageSizeRequest { MaxPixels = 12845056 };

        var (h, w) = ImageSizing.TargetSize(480, 640, checkpoint, request);

        Assert.True((long)h * w <= 28224, $"{h}×{w} exceeds the checkpoint's max_pixels");
        Assert.Equal((140, 168), (h, w));
    }

    [Theory]
    [InlineData(60, null, null, null)]
    [InlineData(null, 60, null, null)]
    [InlineData(null, null, 5000L, 4000L)]
    [InlineData(null, null, -1L, null)]
    [InlineData(0, 56, null, null)]
    public void TargetSize_ContradictoryRequest_ThrowsInvalidSizeRequest(int? height, int? width, long? min, long? max)
    {
        var request = new ImageSizeRequest { ResizedHeight = height, ResizedWidth = width, MinPixels = min, MaxPixels = max };

        var error = Assert.Throws<InvalidInputException>(() => ImageSizing.TargetSize(100, 100, Real, request));

        Assert.Equal(ImageErrorCodes.InvalidSizeRequest, error.Code);
    }

    [Fact]
    public void Estimate_FullHdAtRealDefaults_Costs2691Tokens()
    {
        var (grid, tokens) = ImageTokenCost.Estimate(1920, 1080, Real);

        Assert.Equal(new GridThw(1, 78, 138), grid);
        Assert.Equal(78 * 138 / 4, tokens);
    }

    [Fact]
    public void Estimate_FromRotatedJpegHeader_MatchesPreprocessedGrid()
    {
        byte[] jpeg = TestImages.WithExifOrientation(
            TestImages.Encode(64, 32, (x, y) => ((byte)x, (byte)y, 0), SKEncodedImageFormat.Jpeg), 6);
        var preprocessor = new ImagePreprocessor(Real);

        var (grid, tokens) = ImageTokenCost.Estimate(preprocessor.Decoder.ReadHeader(jpeg), Real);
        var pixels = preprocessor.PreprocessImage(jpeg);

        Assert.Equal(new GridThw(1, 6, 4), grid);
        Assert.Equal(pixels.Grid, grid);
        Assert.Equal(6, tokens);
    }

    [Fact]
    public void FromJson_NewerSizeSpelling_ReadsPixelLimits()
    {
        var options = VisionPreprocessorOptions.FromJson("""{"size": {"shortest_edge": 3136, "longest_edge": 1003520}, "patch_size": 14}""");

        Assert.Equal((3136L, 1003520L), (options.MinPixels, options.MaxPixels));
        Assert.Equal(1176, options.PatchVectorLength);
    }

    [Fact]
    public void Load_FixtureCheckpoint_ReadsSmallMaxPixels()
    {
        var options = ImageProcessorCase.Options;

        Assert.Equal(28224, options.MaxPixels);
        Assert.Equal(28, options.Factor);
        Assert.Equal(0.26862954f, options.ImageStd[0]);
    }
}
