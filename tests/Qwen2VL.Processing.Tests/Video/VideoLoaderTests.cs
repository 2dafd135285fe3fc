using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Video;

namespace Qwen2VL.Processing.Tests.Video;

public class VideoLoaderTests(SyntheticVideo videos) : IClassFixture<SyntheticVideo>
{
    // Limited-range luma 16 + 7·n decodes to RGB ≈ 7·n·255/219.
    private const double GreyPerFrame = 7 * 255.0 / 219;

    private readonly VideoLoader _loader = new();

    [Fact]
    public async Task ProbeAsync_Mp4_ReportsSizeFramesFpsAndDuration()
    {
        var probe = await _loader.ProbeAsync(videos.NumberedGrey);

        Assert.Equal((96, 64), (probe.Width, probe.Height));
        Assert.Equal(30, probe.FrameCount);
        Assert.Equal(10, probe.Fps, 6);
        Assert.Equal(3, probe.DurationSeconds, 2);
        Assert.Equal(0, probe.Rotation);
        Assert.Equal("h264", probe.CodecName);
    }

    [Fact]
    public async Task ProbeAsync_MatroskaWithoutFrameCount_CountsPackets()
    {
        var probe = await _loader.ProbeAsync(videos.NumberedGreyMkv);
        Assert.Equal(30, probe.FrameCount);
    }

    [Fact]
    public async Task ProbeAsync_RotatedBy90_SwapsDisplayedSides()
    {
        var probe = await _loader.ProbeAsync(videos.Rotated);

        Assert.Equal(90, probe.Rotation);
        Assert.Equal((96, 64), (probe.CodedWidth, probe.CodedHeight));
        Assert.Equal((64, 96), (probe.Width, probe.Height));
    }

    [Fact]
    public async Task LoadFileAsync_DefaultFps_SamplesTheLinspaceFramesAtTheBudgetSize()
    {
        var video = await _loader.LoadFileAsync(videos.NumberedGrey);

        // 30 frames at 10 fps sampled at 2 fps = 6 frames: linspace(0, 29, 6) rounded.
        int[] expected = [0, 6, 12, 17, 23, 29];
        Assert.Equal(expected, video.Metadata.FrameIndices);
        // smart_resize(64, 96, min 100352): scaled up by sqrt(100352 / 6144), ceil to 28 → 280 × 392.
        Assert.Equal((280, 392), (video.Height, video.Width));
        Assert.True(video.FramesAtTargetSize);
        Assert.Equal(6, video.Frames.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal((392, 280), (video.Frames[i].Width, video.Frames[i].Height));
            double mean = video.Frames[i].Pixels.Average(b => (double)b);
            Assert.True(Math.Abs(mean - (expected[i] * GreyPerFrame)) < 2.5, $"frame {i} should be source frame {expected[i]} (mean {expected[i] * GreyPerFrame:0.0}), mean is {mean:0.0}");
        }

        Assert.Equal(10, video.Metadata.SourceFps, 6);
        Assert.Equal(2, video.Metadata.SampledFps, 6);
        Assert.Equal(new[] { 0, 0.6, 1.2, 1.7, 2.3, 2.9 }, video.Metadata.TimestampsSeconds.Select(t => Math.Round(t, 6)));
    }

    [Fact]
    public async Task LoadFileAsync_ExplicitNframesAndPixels_SamplesThatManyAtThatSize()
    {
        var request = new VideoSamplingRequest { NFrames = 9, MinPixels = 28 * 28, MaxPixels = 56 * 84 };

        var video = await _loader.LoadFileAsync(videos.NumberedGreyMkv, request);

        // nframes 9 rounds half-to-even to 8; 64×96 rounds to 56×84 which fits max_pixels exactly.
        Assert.Equal(8, video.Frames.Count);
        Assert.Equal((56, 84), (video.Height, video.Width));
        Assert.Equal(new[] { 0, 4, 8, 12, 17, 21, 25, 29 }, video.Metadata.FrameIndices);
    }

    [Fact]
    public async Task LoadFileAsync_Rotated_ReturnsPortraitFrames()
    {
        var video = await _loader.LoadFileAsync(videos.Rotated, new VideoSamplingRequest { MinPixels = 28 * 28, MaxPixels = 28 * 28 * 6 });

        Assert.True(video.Height > video.Width, $"expected portrait frames, got {video.Width}×{video.Height}");
        Assert.All(video.Frames, f => Assert.Equal((video.Width, video.Height), (f.Width, f.Height)));
    }

    [Fact]
    public async Task LoadBytesAsync_Mp4Bytes_MatchesLoadingTheFile()
    {
        var request = new VideoSamplingRequest { NFrames = 4, MaxPixels = 56 * 84 };
        var fromFile = await _loader.LoadFileAsync(videos.NumberedGrey, request);

        var fromBytes = await _loader.LoadBytesAsync(await File.ReadAllBytesAsync(videos.NumberedGrey), request);

        Assert.Equal(fromFile.Metadata.FrameIndices, fromBytes.Metadata.FrameIndices);
        Assert.Equal(fromFile.Frames.Select(f => f.Pixels), fromBytes.Frames.Select(f => f.Pixels));
    }

    [Fact]
    public async Task LoadBytesAsync_Text_ThrowsInvalidVideo()
    {
        var ex = await Assert.ThrowsAsync<InvalidVideoException>(() => _loader.LoadBytesAsync("this is not a video"u8.ToArray()));
        Assert.Equal(VideoErrorCodes.InvalidVideo, ex.Code);
    }

    [Fact]
    public async Task LoadFileAsync_IndexCutOff_ThrowsTruncated()
    {
        // Without faststart the moov index is at the end; half a file has no index.
        var ex = await Assert.ThrowsAsync<InvalidVideoException>(() => _loader.LoadFileAsync(videos.Truncated(videos.Rotated, 0.5)));
        Assert.Equal(VideoErrorCodes.Truncated, ex.Code);
    }

    [Fact]
    public async Task LoadFileAsync_DataCutOff_ThrowsTruncatedWithFrameCounts()
    {
        var ex = await Assert.ThrowsAsync<InvalidVideoException>(() =>
            _loader.LoadFileAsync(videos.Truncated(videos.FastStart, 0.5), new VideoSamplingRequest { MaxPixels = 56 * 84 }));

        Assert.Equal(VideoErrorCodes.Truncated, ex.Code);
        Assert.Contains("30 frames", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadFileAsync_AudioOnly_ThrowsNoVideoStream()
    {
        var ex = await Assert.ThrowsAsync<InvalidVideoException>(() => _loader.LoadFileAsync(videos.AudioOnly));
        Assert.Equal(VideoErrorCodes.NoVideoStream, ex.Code);
    }

    [Fact]
    public async Task LoadFileAsync_PlaylistFormat_IsRefused()
    {
        // An HLS playlist would make ffmpeg open whatever it lists; only plain containers are accepted.
        string playlist = Path.Combine(videos.Folder, "list.m3u8");
        await File.WriteAllTextAsync(playlist, $"#EXTM3U\n#EXTINF:3,\nfile:{videos.NumberedGrey}\n#EXT-X-ENDLIST\n");

        var ex = await Assert.ThrowsAsync<InvalidVideoException>(() => _loader.LoadFileAsync(playlist));
        Assert.Equal(VideoErrorCodes.InvalidVideo, ex.Code);
    }

    [Fact]
    public async Task LoadFileAsync_FfmpegMissing_SaysToInstallIt()
    {
        var loader = new VideoLoader(new VideoLoaderOptions { FfprobePath = "/nonexistent/ffprobe", FfmpegPath = "/nonexistent/ffmpeg" });

        var ex = await Assert.ThrowsAsync<FfmpegNotFoundException>(() => loader.LoadFileAsync(videos.NumberedGrey));
        Assert.Contains("install ffmpeg", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LoadFileAsync_TimeLimitExceeded_ThrowsTimeout()
    {
        var loader = new VideoLoader(new VideoLoaderOptions { Timeout = TimeSpan.FromMilliseconds(1) });

        var ex = await Assert.ThrowsAsync<InvalidVideoException>(() => loader.LoadFileAsync(videos.NumberedGrey));
        Assert.Equal(VideoErrorCodes.Timeout, ex.Code);
    }

    [Fact]
    public async Task LoadFileAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _loader.LoadFileAsync(videos.NumberedGrey, cancellationToken: cancelled.Token));
    }

    [Theory]
    [InlineData(1, 2, true)]
    [InlineData(2, 2, false)]
    [InlineData(3, 4, true)]
    [InlineData(7, 8, true)]
    [InlineData(8, 8, false)]
    public void FromFrames_GoldenPaddingTable_PadsOddCountsWithTheLastFrame(int input, int output, bool lastRepeated)
    {
        Assert.Contains(VisionUtilsGoldens.Table("fetch_video_frame_list_padding"), row =>
            row.GetProperty("input_frames").GetInt32() == input && row.GetProperty("output_frames").GetInt32() == output
            && row.GetProperty("last_repeated").GetBoolean() == lastRepeated);
        var frames = Enumerable.Range(0, input).Select(_ => new RgbImage(100, 60, new byte[100 * 60 * 3])).ToArray();

        var video = VideoLoader.FromFrames(frames);

        Assert.Equal(output, video.Frames.Count);
        Assert.Equal(lastRepeated, video.Frames.Count > input && ReferenceEquals(video.Frames[^1], frames[^1]) && ReferenceEquals(video.Frames[^2], frames[^1]));
        Assert.False(video.FramesAtTargetSize);
        // qwen-vl-utils resizes list frames as images: 60×100 → 56×112.
        Assert.Equal((56, 112), (video.Height, video.Width));
    }

    [Fact]
    public void FromFrames_Empty_Throws()
    {
        var ex = Assert.Throws<InvalidVideoException>(() => VideoLoader.FromFrames([]));
        Assert.Equal(VideoErrorCodes.InvalidFrames, ex.Code);
    }
}
