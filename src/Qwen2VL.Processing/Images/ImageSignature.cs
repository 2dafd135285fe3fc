namespace Qwen2VL.Processing.Images;

/// <summary>
/// Recognises the supported formats by their magic bytes before any codec sees the data, so unsupported formats
/// (which the codec library might still parse) are refused and short non-image data is not mistaken for truncation.
/// </summary>
internal static class ImageSignature
{
    private static ReadOnlySpan<byte> JpegStart => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> PngStart => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format whose signature the data starts with, or null.</summary>
    public static ImageFormat? Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngStart))
        {
            return ImageFormat.Png;
        }

        if (data.StartsWith(JpegStart))
        {
            return ImageFormat.Jpeg;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        if (data.StartsWith("BM"u8))
        {
            return ImageFormat.Bmp;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        return null;
    }
}
