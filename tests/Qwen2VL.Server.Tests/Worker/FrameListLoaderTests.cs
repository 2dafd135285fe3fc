using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Processing;
using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Video;
using Qwen2VL.Server.Tests.Reliability;
using Qwen2VL.Server.Worker;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Worker;

public sealed class FrameListLoaderTests
{
    private readonly FrameListLoader _loader = new(new ImageDecoder());

    [Fact]
    public void Load_GoldenFrames_AreTheGoldenFramesPaddedAndSized()
    {
        var golden = GoldenTensors.ForCase("d_video");
        var pngs = Enumerable.Range(0, 7).Select(i => (ReadOnlyMemory<byte>)File.ReadAllBytes(Path.Combine(TestPaths.Cases, "d_video", $"video0_frame{i}.png"))).ToList();

        var video = _loader.Load(FrameListMedia.Encode(pngs), null, VideoDefaults.Reference);

        // Seven frames pad to eight by repeating the last; 84×56 is already a multiple of 28 within the image budget.
        Assert.Equal(8, video.Frames.Count);
        Assert.Same(video.Frames[6], video.Frames[7]);
        Assert.Equal((56, 84), (video.Height, video.Width));
        Assert.Equal(golden["image_video0_frame3"].AsUInt8(), video.Frames[3].Pixels.ToArray());
    }

    [Fact]
    public void Load_FramesOverThePixelBudget_AreRefusedBeforeDecoding()
    {
        byte[] big = TestImages.Png(6000, 6000);

        var error = Assert.Throws<InvalidVideoException>(() => _loader.Load(FrameListMedia.Encode([big, big, big]), null, VideoDefaults.Reference));

        Assert.Equal(VideoErrorCodes.TooLarge, error.Code);
        Assert.Contains("108000000 pixels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AFrameIsNotAnImage_NamesTheFrameAndKeepsTheImageCode()
    {
        byte[] png = TestImages.Png(56, 56);

        var error = Assert.ThrowsAny<InvalidInputException>(() =>
            _loader.Load(FrameListMedia.Encode([png, "plain text"u8.ToArray()]), null, VideoDefaults.Reference));

        Assert.StartsWith("frame 1 of the video:", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(VideoErrorCodes.InvalidFrames, error.Code);
    }

    [Fact]
    public void Load_NotAFrameList_IsInvalidVideoFrames()
    {
        var error = Assert.Throws<InvalidVideoException>(() => _loader.Load("garbage"u8.ToArray(), null, VideoDefaults.Reference));

        Assert.Equal(VideoErrorCodes.InvalidFrames, error.Code);
    }
}
