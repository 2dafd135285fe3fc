using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Tests.Images;

public sealed class OrientationTransformTests
{
    // A 3×2 image whose red channel numbers the pixels row by row:  0 1 2 / 3 4 5.
    private static RgbImage Numbered() => new(3, 2, Enumerable.Range(0, 6).SelectMany(i => new[] { (byte)i, (byte)0, (byte)0 }).ToArray());

    [Theory]
    [InlineData(ImageOrientation.TopLeft, 3, new byte[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(ImageOrientation.TopRight, 3, new byte[] { 2, 1, 0, 5, 4, 3 })]
    [InlineData(ImageOrientation.BottomRight, 3, new byte[] { 5, 4, 3, 2, 1, 0 })]
    [InlineData(ImageOrientation.BottomLeft, 3, new byte[] { 3, 4, 5, 0, 1, 2 })]
    [InlineData(ImageOrientation.LeftTop, 2, new byte[] { 0, 3, 1, 4, 2, 5 })]
    [InlineData(ImageOrientation.RightTop, 2, new byte[] { 3, 0, 4, 1, 5, 2 })]
    [InlineData(ImageOrientation.RightBottom, 2, new byte[] { 5, 2, 4, 1, 3, 0 })]
    [InlineData(ImageOrientation.LeftBottom, 2, new byte[] { 2, 5, 1, 4, 0, 3 })]
    public void Apply_EachExifOrientation_GivesUprightLayout(ImageOrientation orientation, int width, byte[] expected)
    {
        var upright = OrientationTransform.Apply(Numbered(), orientation);

        Assert.Equal(width, upright.Width);
        Assert.Equal(expected, upright.Pixels.Where((_, i) => i % 3 == 0).ToArray());
    }
}
