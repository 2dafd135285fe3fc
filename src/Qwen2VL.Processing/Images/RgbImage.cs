namespace Qwen2VL.Processing.Images;

/// <summary>An 8-bit RGB image in row-major height × width × 3 (HWC) order, the layout the reference processor uses.</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"an RGB image of {width}×{height} needs {width * height * 3} bytes, got {pixels.Length}", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes in HWC order: pixel (x, y) channel c is at ((y · Width) + x) · 3 + c.</summary>
    public byte[] Pixels { get; }
}
