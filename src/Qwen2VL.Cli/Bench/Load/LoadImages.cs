using SkiaSharp;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// PNG images drawn on the spot: a random background and random rectangles at one of a few common sizes. Every image is
/// new, so the server's per-tenant vision cache cannot answer it and each one costs a real vision encoding.
/// </summary>
internal static class LoadImages
{
    private const int Rectangles = 12;
    private static readonly (int Width, int Height)[] Sizes = [(112, 112), (224, 224), (448, 336), (640, 480)];

    public static byte[] Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var (width, height) = Sizes[random.Next(Sizes.Length)];
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var canvas = surface.Canvas;
        canvas.Clear(Colour(random));
        using var paint = new SKPaint { IsAntialias = false };
        for (int i = 0; i < Rectangles; i++)
        {
            paint.Color = Colour(random);
            float x = random.Next(width), y = random.Next(height);
            canvas.DrawRect(x, y, random.Next(1, width - (int)x + 1), random.Next(1, height - (int)y + 1), paint);
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static SKColor Colour(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
