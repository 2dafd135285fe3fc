namespace Qwen2VL.Processing.Images;

/// <summary>
/// The EXIF orientation tag (values 1–8): how the stored pixels must be transformed to show the image upright.
/// The names say where the stored first row and first column end up, as in the TIFF/EXIF specification.
/// </summary>
public enum ImageOrientation
{
    /// <summary>1: stored upright.</summary>
    TopLeft = 1,

    /// <summary>2: mirrored left–right.</summary>
    TopRight = 2,

    /// <summary>3: rotated 180°.</summary>
    BottomRight = 3,

    /// <summary>4: mirrored top–bottom.</summary>
    BottomLeft = 4,

    /// <summary>5: transposed (mirrored about the main diagonal).</summary>
    LeftTop = 5,

    /// <summary>6: needs a 90° clockwise rotation.</summary>
    RightTop = 6,

    /// <summary>7: transversed (mirrored about the anti-diagonal).</summary>
    RightBottom = 7,

    /// <summary>8: needs a 90° counter-clockwise rotation.</summary>
    LeftBottom = 8,
}
