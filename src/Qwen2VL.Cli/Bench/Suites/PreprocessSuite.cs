using System.Diagnostics;
using Qwen2VL.Processing.Images;
using SkiaSharp;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// <c>preprocess_1080p_ms</c>: JPEG decode, smart_resize to the default max_pixels, bicubic resize, normalise and
/// patchify of a 1920×1080 photo-like JPEG generated here (median of several runs).
/// </summary>
internal sealed class PreprocessSuite : IBenchSuite
{
    private const int Runs = 7;

    public string Name => "preprocess";

    public Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        byte[] jpeg = SyntheticJpeg(1920, 1080);
        var preprocessor = new ImagePreprocessor(new VisionPreprocessorOptions());
        var patches = preprocessor.PreprocessImage(jpeg); // warm-up (JIT, native library load)
        var times = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            patches = preprocessor.PreprocessImage(jpeg);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        context.Log($"preprocess 1920×1080 JPEG ({jpeg.Length / 1024} KiB) to {patches.PatchCount} patches: median {times[Runs / 2]:F1} ms");
        results.Set("preprocess_1080p_ms", times[Runs / 2]);
        return Task.CompletedTask;
    }

    /// <summary>A JPEG with gradients, shapes and fine noise, so decoding does the work a photo would cost.</summary>
    internal static byte[] SyntheticJpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new int[width * height];
        var random = new Random(50);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int noise = random.Next(32);
                uint r = (uint)((x * 255 / width) ^ noise) & 0xFF;
                uint g = (uint)((y * 255 / height) + noise) & 0xFF;
                uint b = (uint)(((x + y) / 7 % 2 == 0 ? 200 : 40) + noise) & 0xFF;
                pixels[(y * width) + x] = unchecked((int)(0xFF000000 | (b << 16) | (g << 8) | r));
            }
        }

        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
