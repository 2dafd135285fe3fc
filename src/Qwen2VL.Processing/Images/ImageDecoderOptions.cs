namespace Qwen2VL.Processing.Images;

/// <summary>Limits the decoder enforces before it allocates anything for the pixels.</summary>
public sealed record ImageDecoderOptions
{
    /// <summary>
    /// Pillow's decompression-bomb threshold (about 0.25 GiB of 24-bit pixels), so every image the reference pipeline
    /// opens without complaint is accepted here too.
    /// </summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>The largest stored width × height accepted; a header announcing more is refused before decoding.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Whether the EXIF orientation is applied, so the pixels come out upright.</summary>
    public bool ApplyExifOrientation { get; init; } = true;
}
