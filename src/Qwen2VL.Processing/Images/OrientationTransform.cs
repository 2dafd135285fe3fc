namespace Qwen2VL.Processing.Images;

/// <summary>Applies an EXIF orientation to RGB pixels so the result is upright (as Pillow's <c>exif_transpose</c>).</summary>
public static class OrientationTransform
{
    /// <summary>Returns the upright image; the input itself when the orientation is already upright.</summary>
    public static RgbImage Apply(RgbImage image, ImageOrientation orientation)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (orientation == ImageOrientation.TopLeft)
        {
            return image;
        }

        int w = image.Width;
        int h = image.Height;
        bool swap = orientation >= ImageOrientation.LeftTop;
        int outW = swap ? h : w;
        byte[] src = image.Pixels;
        byte[] dst = GC.AllocateUninitializedArray<byte>(src.Length);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                var (dx, dy) = orientation switch
                {
                    ImageOrientation.TopRight => (w - 1 - x, y),
                    ImageOrientation.BottomRight => (w - 1 - x, h - 1 - y),
                    ImageOrientation.BottomLeft => (x, h - 1 - y),
                    ImageOrientation.LeftTop => (y, x),
                    ImageOrientation.RightTop => (h - 1 - y, x),
                    ImageOrientation.RightBottom => (h - 1 - y, w - 1 - x),
                    ImageOrientation.LeftBottom => (y, w - 1 - x),
                    _ => throw new ArgumentOutOfRangeException(nameof(orientation), orientation, "not an EXIF orientation (1–8)"),
                };
                int s = ((y * w) + x) * 3;
                int d = ((dy * outW) + dx) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }

        return swap ? new RgbImage(h, w, dst) : new RgbImage(w, h, dst);
    }
}
