using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Tests.Images;

/// <summary>The images of <c>h_image_processor</c> the reference refuses, and other refusals by size.</summary>
public sealed class ImageProcessorErrorTests
{
    public static TheoryData<string> ErrorImages => ImageProcessorCase.ErrorImageNames();

    [Theory]
    [MemberData(nameof(ErrorImages))]
    public void PreprocessImage_ReferenceRefusesImage_ThrowsTypedError(string name)
    {
        var preprocessor = new ImagePreprocessor(ImageProcessorCase.Options);
        string reference = ImageProcessorCase.Image(name).GetProperty("expected_error").GetString()!;

        var error = Assert.Throws<InvalidInputException>(() => preprocessor.PreprocessImage(ImageProcessorCase.FileBytes(name)));

        string code = reference.Contains("larger than factor", StringComparison.Ordinal)
            ? ImageErrorCodes.TooSmall
            : ImageErrorCodes.AspectRatio;
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void PreprocessImage_TooSmall_MessageGivesSizeAndMinimum()
    {
        var preprocessor = new ImagePreprocessor(ImageProcessorCase.Options);

        var error = Assert.Throws<InvalidInputException>(() => preprocessor.PreprocessImage(ImageProcessorCase.FileBytes("err_h20_w100")));

        Assert.Equal("image is 100×20 pixels; both sides must be at least 28", error.Message);
    }

    [Fact]
    public void PreprocessImage_ExtremeAspectRatio_MessageGivesRatio()
    {
        var preprocessor = new ImagePreprocessor(new VisionPreprocessorOptions());

        var error = Assert.Throws<InvalidInputException>(() => preprocessor.PreprocessImage(ImageProcessorCase.FileBytes("err_ratio_6000x29")));

        Assert.Contains("6000×29", error.Message, StringComparison.Ordinal);
        Assert.Contains("206.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PreprocessImage_SmallImageWithSizeRequest_IsClampedLikeQwenVlUtils()
    {
        // qwen-vl-utils clamps small sides up instead of refusing: 100×20 → 112×28 under the real defaults.
        var preprocessor = new ImagePreprocessor(new VisionPreprocessorOptions());

        var pixels = preprocessor.PreprocessImage(ImageProcessorCase.FileBytes("err_h20_w100"), new ImageSizeRequest { MaxPixels = 12845056 });

        Assert.Equal(new GridThw(1, 2, 8), pixels.Grid);
    }
}
