using System.Diagnostics;
using Qwen2VL.Processing.Images;
using SkiaSharp;
using Xunit.Abstractions;

namespace Qwen2VL.Processing.Tests.Images;

/// <summary>Measures the full still-image path on a 1920×1080 JPEG at the real checkpoints' max_pixels.</summary>
public sealed class PreprocessingSpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void PreprocessImage_FullHdJpeg_ReportsStageTimings()
    {
        var random = new Random(7);
        byte[] noise = new byte[1920 * 1080];
        random.NextBytes(noise);
        byte[] jpeg = TestImages.Encode(1920, 1080,
            (x, y) => ((byte)((x / 8) + (noise[(y * 1920) + x] >> 4)), (byte)((y / 5) + (x / 30)), (byte)(((x ^ y) & 0x3F) + 96)),
            SKEncodedImageFormat.Jpeg, 90);
        var preprocessor = new ImagePreprocessor(new VisionPreprocessorOptions());
        var flattener = new PatchFlattener(preprocessor.Options);

        PatchedPixels result = preprocessor.PreprocessImage(jpeg); // warm-up (JIT, thread pool)
        double best = double.MaxValue, decode = double.MaxValue, resize = double.MaxValue, flatten = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            result = preprocessor.PreprocessImage(jpeg);
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            var image = preprocessor.Decoder.Decode(jpeg);
            decode = Math.Min(decode, clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            var resized = BicubicResampler.Resize(image, 1932, 1092);
            resize = Math.Min(resize, clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            _ = flattener.Flatten([resized]);
            flatten = Math.Min(flatten, clock.Elapsed.TotalMilliseconds);
        }

#if DEBUG
        const string build = "Debug build (JIT optimisations off; run with -c Release for real numbers)";
#else
        const string build = "Release build";
#endif
        output.WriteLine($"{build}: 1920×1080 JPEG ({jpeg.Length} bytes) → grid {result.Grid}, {result.PatchCount}×{result.Columns} floats, " +
            $"{Environment.ProcessorCount} cores: total {best:F1} ms (decode {decode:F1}, resize {resize:F1}, normalise+patchify {flatten:F1})");
        Assert.Equal(new GridThw(1, 78, 138), result.Grid);

        // Generous bound so a busy test machine does not fail the build; the target (70 ms) is checked by reading the output.
        Assert.True(best < 1000, $"preprocessing took {best:F1} ms");
    }
}
