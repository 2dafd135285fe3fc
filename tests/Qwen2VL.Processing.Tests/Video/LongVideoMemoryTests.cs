using System.Diagnostics;
using Qwen2VL.Processing.Video;
using Xunit.Abstractions;

namespace Qwen2VL.Processing.Tests.Video;

/// <summary>Runs alone, so the working set it measures is its own.</summary>
[CollectionDefinition(nameof(LongVideoMemoryTests), DisableParallelization = true)]
public sealed class LongVideoCollection : ICollectionFixture<SyntheticVideo>;

[Collection(nameof(LongVideoMemoryTests))]
public class LongVideoMemoryTests(SyntheticVideo videos, ITestOutputHelper output)
{
    [Fact]
    public async Task LoadFileAsync_TwentyMinuteVideo_KeepsWorkingSetBounded()
    {
        string path = videos.TwentyMinutes;
        // Small frames keep the expected output tiny (768 × 28×56 RGB ≈ 3.6 MB), so any growth beyond it would be
        // decoded frames held at source size: 6000 × 320×240 RGB is 1.4 GB, and even the 768 sampled ones 177 MB.
        var request = new VideoSamplingRequest { MinPixels = 28 * 28, MaxPixels = 56 * 56 };
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        long baseline = self.WorkingSet64;
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(5).ConfigureAwait(false);
            }
        });
        var clock = Stopwatch.StartNew();

        var video = await new VideoLoader().LoadFileAsync(path, request);

        clock.Stop();
        await sampling.CancelAsync();
        await sampler;
        long growth = peak - baseline;
        output.WriteLine($"20 min, 6000 frames → {video.Frames.Count} frames of {video.Width}×{video.Height} in {clock.ElapsedMilliseconds} ms; working set +{growth / 1e6:0.0} MB");
        Assert.Equal(768, video.Frames.Count);
        Assert.Equal((28, 56), (video.Height, video.Width));
        Assert.Equal(5999, video.Metadata.FrameIndices[^1]);
        Assert.Equal(1199.8, video.Metadata.TimestampsSeconds[^1], 6);
        Assert.True(growth < 100_000_000, $"working set grew by {growth / 1e6:0.0} MB while decoding");
    }

    [Fact]
    public async Task LoadFileAsync_TimeLimitDuringDecode_KillsFfmpegAndThrowsTimeout()
    {
        string path = videos.TwentyMinutes;
        var loader = new VideoLoader(new VideoLoaderOptions { Timeout = TimeSpan.FromMilliseconds(150) });
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<InvalidVideoException>(() => loader.LoadFileAsync(path));

        Assert.Equal(VideoErrorCodes.Timeout, ex.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
