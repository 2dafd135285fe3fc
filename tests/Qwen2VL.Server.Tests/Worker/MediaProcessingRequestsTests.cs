using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Processing.Video;
using Qwen2VL.Server.Worker;

namespace Qwen2VL.Server.Tests.Worker;

public sealed class MediaProcessingRequestsTests
{
    [Fact]
    public void ForImage_NoPixelBudget_IsNullSoTheCheckpointSizes()
    {
        Assert.Null(MediaProcessingRequests.ForImage(null));
        Assert.Null(MediaProcessingRequests.ForImage(new MediaOptions { Fps = 2 }));
    }

    [Fact]
    public void ForImage_Budget_BecomesTheSizeRequest()
    {
        var request = MediaProcessingRequests.ForImage(new MediaOptions { MinPixels = 784, MaxPixels = 3136 });

        Assert.Equal((784L, 3136L), (request!.MinPixels!.Value, request.MaxPixels!.Value));
    }

    [Fact]
    public void ForVideo_MaxFramesAboveTheLoadersLimit_IsCapped()
    {
        var defaults = VideoDefaults.Reference with { MaxFrames = 32 };

        var request = MediaProcessingRequests.ForVideo(new MediaOptions { Fps = 1, MaxFrames = 500, MaxPixels = 10_000 }, defaults);

        Assert.Equal((1.0, 32, 10_000L), (request!.Fps!.Value, request.MaxFrames!.Value, request.MaxPixels!.Value));
        Assert.Null(MediaProcessingRequests.ForVideo(new MediaOptions(), defaults));
    }

    [Theory]
    [InlineData(0L, null, null, null)]
    [InlineData(5000L, 4000L, null, null)]
    [InlineData(null, -1L, null, null)]
    [InlineData(null, null, double.NaN, null)]
    [InlineData(null, null, 0.0, null)]
    [InlineData(null, null, null, 0)]
    public void ForVideo_OutOfRange_IsRejectedAsInvalidMediaOptions(long? minPixels, long? maxPixels, double? fps, int? maxFrames)
    {
        var options = new MediaOptions { MinPixels = minPixels, MaxPixels = maxPixels, Fps = fps, MaxFrames = maxFrames };

        var error = Assert.Throws<GenerationRejectedException>(() => MediaProcessingRequests.ForVideo(options, VideoDefaults.Reference));

        Assert.Equal("invalid_media_options", error.Code);
    }
}
