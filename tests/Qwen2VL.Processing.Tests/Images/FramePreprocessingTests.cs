using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Tests.Images;

public sealed class FramePreprocessingTests
{
    private static readonly ImagePreprocessor Preprocessor = new(ImageProcessorCase.Options);

    private static RgbImage Solid(byte value, int width = 84, int height = 56) =>
        new(width, height, Enumerable.Repeat(value, width * height * 3).ToArray());

    [Fact]
    public void PreprocessFrames_OddFrameCount_PadsByRepeatingLastFrame()
    {
        RgbImage[] frames = [Solid(10), Solid(20), Solid(30)];

        var video = Preprocessor.PreprocessFrames(frames);

        Assert.Equal(new GridThw(2, 4, 6), video.Grid);
        int rowOfSecondPair = video.PatchCount / 2;
        float expected = PatchFlattener.Normalize(30, 0.48145466f, 0.26862954f);
        Assert.Equal(expected, video.Values[(rowOfSecondPair * 1176) + 0]); // red, frame slot 0
        Assert.Equal(expected, video.Values[(rowOfSecondPair * 1176) + 196]); // red, frame slot 1 (the repeat)
    }

    [Fact]
    public void PreprocessFrames_FramesOfOtherSizes_AreResizedToFirstFramesSize()
    {
        RgbImage[] frames = [Solid(10), Solid(20, 100, 70)];

        var video = Preprocessor.PreprocessFrames(frames);

        Assert.Equal(new GridThw(1, 4, 6), video.Grid);
    }

    [Fact]
    public void PreprocessImage_StillImage_BothFrameSlotsEqual()
    {
        var pixels = Preprocessor.PreprocessImage(Solid(77));

        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(pixels.Values.AsSpan(c * 392, 196).ToArray(), pixels.Values.AsSpan((c * 392) + 196, 196).ToArray());
        }
    }

    [Fact]
    public void PreprocessFrames_NoFrames_ThrowsTypedError()
    {
        Assert.Throws<InvalidInputException>(() => Preprocessor.PreprocessFrames([]));
    }
}
