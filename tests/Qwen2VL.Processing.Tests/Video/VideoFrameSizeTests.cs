using Qwen2VL.Processing.Video;

namespace Qwen2VL.Processing.Tests.Video;

public class VideoFrameSizeTests
{
    [Fact]
    public void ForDecodedVideo_SmartResizeGoldenVideoDefaults_MatchesEveryRow()
    {
        // With few frames the per-frame ceiling is VIDEO_MAX_PIXELS (602112), the golden column's budget.
        int rows = 0;
        foreach (var row in VisionUtilsGoldens.Table("smart_resize"))
        {
            int height = row.GetProperty("height").GetInt32();
            int width = row.GetProperty("width").GetInt32();
            var expected = row.GetProperty("video_defaults_min100352_max602112");
            if (expected.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                var ex = Assert.Throws<InvalidVideoException>(() =>
                    VideoFrameSize.ForDecodedVideo(height, width, 4, VideoSamplingRequest.Default, VideoDefaults.Reference));
                Assert.Equal(VideoErrorCodes.AspectRatio, ex.Code);
            }
            else
            {
                var actual = VideoFrameSize.ForDecodedVideo(height, width, 4, VideoSamplingRequest.Default, VideoDefaults.Reference);
                Assert.Equal((expected[0].GetInt32(), expected[1].GetInt32()), actual);
            }

            rows++;
        }

        Assert.Equal(14, rows);
    }

    [Fact]
    public void ForFrameList_SmartResizeGoldenImageDefaults_MatchesEveryValidRow()
    {
        foreach (var row in VisionUtilsGoldens.Table("smart_resize"))
        {
            var expected = row.GetProperty("defaults");
            if (expected.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                continue;
            }

            var actual = VideoFrameSize.ForFrameList(row.GetProperty("height").GetInt32(), row.GetProperty("width").GetInt32(),
                VideoSamplingRequest.Default, VideoDefaults.Reference);
            Assert.Equal((expected[0].GetInt32(), expected[1].GetInt32()), actual);
        }
    }

    [Fact]
    public void ForFrameList_MinMaxOverrides_MatchGoldenColumn()
    {
        var request = new VideoSamplingRequest { MinPixels = 3136, MaxPixels = 50176 };
        foreach (var row in VisionUtilsGoldens.Table("smart_resize"))
        {
            var expected = row.GetProperty("min3136_max50176");
            if (expected.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                continue;
            }

            var actual = VideoFrameSize.ForFrameList(row.GetProperty("height").GetInt32(), row.GetProperty("width").GetInt32(), request, VideoDefaults.Reference);
            Assert.Equal((expected[0].GetInt32(), expected[1].GetInt32()), actual);
        }
    }

    [Theory]
    // total/n·2 = 19267584/100·2 = 385351.68 (fractional, kept)
    [InlineData(100, 385351.68)]
    // 19267584/4·2 is far above VIDEO_MAX_PIXELS
    [InlineData(4, 602112)]
    // 19267584/768·2 = 50176 is below int(100352·1.05) = 105369
    [InlineData(768, 105369)]
    public void MaxPixelsPerFrame_Defaults_FollowsTheReferenceFormula(int frames, double expected)
    {
        Assert.Equal(expected, VideoFrameSize.MaxPixelsPerFrame(frames, VideoSamplingRequest.Default, VideoDefaults.Reference), 6);
    }

    [Fact]
    public void MaxPixelsPerFrame_ExplicitMaxPixels_WinsOverTotalPixels()
    {
        var request = new VideoSamplingRequest { MaxPixels = 12345, TotalPixels = 1 };
        Assert.Equal(12345, VideoFrameSize.MaxPixelsPerFrame(100, request, VideoDefaults.Reference));
    }

    [Fact]
    public void ForDecodedVideo_ResizedHeightAndWidth_RoundsToFactor()
    {
        var request = new VideoSamplingRequest { ResizedHeight = 100, ResizedWidth = 150 };
        Assert.Equal((112, 140), VideoFrameSize.ForDecodedVideo(1080, 1920, 8, request, VideoDefaults.Reference));
    }
}
