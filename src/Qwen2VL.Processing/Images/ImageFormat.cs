namespace Qwen2VL.Processing.Images;

/// <summary>The still-image container formats the decoder accepts.</summary>
public enum ImageFormat
{
    /// <summary>Portable Network Graphics.</summary>
    Png,

    /// <summary>JPEG (JFIF / EXIF).</summary>
    Jpeg,

    /// <summary>WebP, lossy or lossless.</summary>
    WebP,

    /// <summary>GIF; only the first frame is used.</summary>
    Gif,

    /// <summary>Windows bitmap.</summary>
    Bmp,
}
