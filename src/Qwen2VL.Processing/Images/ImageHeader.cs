namespace Qwen2VL.Processing.Images;

/// <summary>What an encoded image's header says, read without decoding its pixels.</summary>
/// <param name="Format">The container format.</param>
/// <param name="StoredWidth">Width of the stored pixel grid, before the EXIF orientation is applied.</param>
/// <param name="StoredHeight">Height of the stored pixel grid, before the EXIF orientation is applied.</param>
/// <param name="Orientation">The EXIF orientation (<see cref="ImageOrientation.TopLeft"/> when absent).</param>
public sealed record ImageHeader(ImageFormat Format, int StoredWidth, int StoredHeight, ImageOrientation Orientation)
{
    /// <summary>Whether showing the image upright swaps its width and height (orientations 5–8).</summary>
    public bool SwapsAxes => Orientation >= ImageOrientation.LeftTop;

    /// <summary>Width of the upright image, the one that is resized and patched.</summary>
    public int Width => SwapsAxes ? StoredHeight : StoredWidth;

    /// <summary>Height of the upright image, the one that is resized and patched.</summary>
    public int Height => SwapsAxes ? StoredWidth : StoredHeight;

    /// <summary>Number of pixels the decoder must hold.</summary>
    public long PixelCount => (long)StoredWidth * StoredHeight;
}
