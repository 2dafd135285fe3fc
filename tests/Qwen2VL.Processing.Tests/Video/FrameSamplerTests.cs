using Qwen2VL.Processing.Video;

namespace Qwen2VL.Processing.Tests.Video;

public class FrameSamplerTests
{
    [Fact]
    public void VideoDefaults_Reference_MatchQwenVlUtilsConstants()
    {
        var c = VisionUtilsGoldens.Constants;
        var d = VideoDefaults.Reference;
        Assert.Equal(c.GetProperty("IMAGE_FACTOR").GetInt32(), d.ImageFactor);
        Assert.Equal(c.GetProperty("FRAME_FACTOR").GetInt32(), d.FrameFactor);
        Assert.Equal(c.GetProperty("FPS").GetDouble(), d.Fps);
        Assert.Equal(c.GetProperty("FPS_MIN_FRAMES").GetInt32(), d.MinFrames);
        Assert.Equal(c.GetProperty("FPS_MAX_FRAMES").GetInt32(), d.MaxFrames);
        Assert.Equal(c.GetProperty("VIDEO_MIN_PIXELS").GetInt64(), d.MinPixels);
        Assert.Equal(c.GetProperty("VIDEO_MAX_PIXELS").GetInt64(), d.MaxPixels);
        Assert.Equal(c.GetProperty("VIDEO_TOTAL_PIXELS").GetInt64(), d.TotalPixels);
        Assert.Equal(c.GetProperty("MIN_PIXELS").GetInt64(), d.ImageMinPixels);
        Assert.Equal(c.GetProperty("MAX_PIXELS").GetInt64(), d.ImageMaxPixels);
    }

    [Fact]
    public void FrameCount_SmartNframesGoldenTable_MatchesEveryRow()
    {
        int rows = 0;
        foreach (var row in VisionUtilsGoldens.Table("smart_nframes"))
        {
            var ele = row.GetProperty("ele");
            var request = new VideoSamplingRequest
            {
                Fps = ele.TryGetProperty("fps", out var fps) ? fps.GetDouble() : null,
                NFrames = ele.TryGetProperty("nframes", out var n) ? n.GetInt32() : null,
                MinFrames = ele.TryGetProperty("min_frames", out var min) ? min.GetInt32() : null,
                MaxFrames = ele.TryGetProperty("max_frames", out var max) ? max.GetInt32() : null,
            };
            int total = row.GetProperty("total_frames").GetInt32();
            double videoFps = row.GetProperty("video_fps").GetDouble();

            int actual = FrameSampler.FrameCount(request, total, videoFps, VideoDefaults.Reference);

            Assert.True(row.GetProperty("nframes").GetInt32() == actual, $"total {total} @ {videoFps} fps, {ele}: expected {row.GetProperty("nframes")}, got {actual}");
            rows++;
        }

        Assert.Equal(10, rows);
    }

    [Fact]
    public void FrameCount_FpsAndNframesTogether_Throws()
    {
        var ex = Assert.Throws<InvalidVideoException>(() =>
            FrameSampler.FrameCount(new VideoSamplingRequest { Fps = 1, NFrames = 4 }, 100, 30, VideoDefaults.Reference));
        Assert.Equal(VideoErrorCodes.InvalidOptions, ex.Code);
    }

    [Fact]
    public void FrameCount_NframesAboveFrameCount_ThrowsWithNumbers()
    {
        var ex = Assert.Throws<InvalidVideoException>(() =>
            FrameSampler.FrameCount(new VideoSamplingRequest { NFrames = 12 }, 10, 30, VideoDefaults.Reference));
        Assert.Equal(VideoErrorCodes.InvalidOptions, ex.Code);
        Assert.Contains("10 frames", ex.Message, StringComparison.Ordinal);
        Assert.Contains("12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FrameCount_SingleFrameVideo_ThrowsTooShort()
    {
        var ex = Assert.Throws<InvalidVideoException>(() => FrameSampler.FrameCount(VideoSamplingRequest.Default, 1, 30, VideoDefaults.Reference));
        Assert.Equal(VideoErrorCodes.TooShort, ex.Code);
    }

    [Fact]
    public void FrameCount_MaxFramesAboveFrameCount_IsCappedByTheVideo()
    {
        // 40 frames at 1 fps sampled at 4 fps wants 160; max_frames 100 is capped at the 40 frames the video has.
        int count = FrameSampler.FrameCount(new VideoSamplingRequest { Fps = 4, MaxFrames = 100 }, 40, 1, VideoDefaults.Reference);
        Assert.Equal(40, count);
    }

    [Theory]
    // torch.linspace(0, 99, 6) = [0, 19.8, 39.6, 59.4, 79.2, 99]
    [InlineData(100, 6, new[] { 0, 20, 40, 59, 79, 99 })]
    // torch.linspace(0, 29, 6) = [0, 5.8, 11.6, 17.4, 23.2, 29]
    [InlineData(30, 6, new[] { 0, 6, 12, 17, 23, 29 })]
    [InlineData(8, 8, new[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    // linspace(0, 4, 2) = [0, 4]
    [InlineData(5, 2, new[] { 0, 4 })]
    public void FrameIndices_EvenSpacing_RoundsLikeTorch(int total, int count, int[] expected)
    {
        Assert.Equal(expected, FrameSampler.FrameIndices(total, count));
    }

    [Fact]
    public void FrameIndices_LongVideo_AreDistinctIncreasingAndCoverBothEnds()
    {
        int[] indices = FrameSampler.FrameIndices(36_000, 768);
        Assert.Equal(0, indices[0]);
        Assert.Equal(35_999, indices[^1]);
        Assert.All(indices.Zip(indices.Skip(1)), pair => Assert.True(pair.Second > pair.First));
    }
}
