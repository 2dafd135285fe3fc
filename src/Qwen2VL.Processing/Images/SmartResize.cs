namespace Qwen2VL.Processing.Images;

/// <summary>
/// Picks the size an image is resized to before patching: both sides multiples of <c>factor</c> (patch × merge = 28),
/// the aspect ratio kept as well as possible, and the pixel count within [minPixels, maxPixels].
/// Rounding follows the reference exactly (Python's round-half-even, floor when shrinking, ceil when growing).
/// </summary>
public static class SmartResize
{
    /// <summary>The largest accepted ratio between the longer and the shorter side.</summary>
    public const double MaxAspectRatio = 200;

    /// <summary>
    /// The Hugging Face image processor's rule: a side under <paramref name="factor"/> or a ratio over 200 is an error,
    /// and so is a result that collapses to a zero side (possible with a small <paramref name="maxPixels"/>).
    /// </summary>
    /// <returns>The target (height, width).</returns>
    public static (int Height, int Width) Processor(int height, int width, int factor, long minPixels, long maxPixels)
    {
        if (height < factor || width < factor)
        {
            throw new InvalidInputException(ImageErrorCodes.TooSmall,
                $"image is {width}×{height} pixels; both sides must be at least {factor}");
        }

        CheckAspectRatio(height, width);
        var (h, w) = Fit(height, width, factor, minPixels, maxPixels,
            RoundHalfEven(height / (double)factor) * factor, RoundHalfEven(width / (double)factor) * factor);
        return RequirePositive(height, width, h, w, maxPixels);
    }

    /// <summary>
    /// qwen-vl-utils' rule (used for per-request pixel budgets and video frames): small sides are clamped up to
    /// <paramref name="factor"/> instead of refused; a ratio over 200 is still an error.
    /// </summary>
    /// <returns>The target (height, width).</returns>
    public static (int Height, int Width) QwenVlUtils(int height, int width, int factor, long minPixels, long maxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        CheckAspectRatio(height, width);
        var (h, w) = Fit(height, width, factor, minPixels, maxPixels,
            Math.Max(factor, RoundHalfEven(height / (double)factor) * factor),
            Math.Max(factor, RoundHalfEven(width / (double)factor) * factor));
        return RequirePositive(height, width, h, w, maxPixels);
    }

    private static (int Height, int Width) Fit(int height, int width, int factor, long minPixels, long maxPixels, int hBar, int wBar)
    {
        if ((long)hBar * wBar > maxPixels)
        {
            double beta = Math.Sqrt(height * (double)width / maxPixels);
            hBar = (int)Math.Floor(height / beta / factor) * factor;
            wBar = (int)Math.Floor(width / beta / factor) * factor;
        }
        else if ((long)hBar * wBar < minPixels)
        {
            double beta = Math.Sqrt(minPixels / (height * (double)width));
            hBar = (int)Math.Ceiling(height * beta / factor) * factor;
            wBar = (int)Math.Ceiling(width * beta / factor) * factor;
        }

        return (hBar, wBar);
    }

    private static void CheckAspectRatio(int height, int width)
    {
        double ratio = Math.Max(height, width) / (double)Math.Min(height, width);
        if (ratio > MaxAspectRatio)
        {
            throw new InvalidInputException(ImageErrorCodes.AspectRatio,
                $"image is {width}×{height} pixels, an aspect ratio of {ratio:0.##}; it must be at most {MaxAspectRatio:0}");
        }
    }

    private static (int Height, int Width) RequirePositive(int height, int width, int h, int w, long maxPixels)
    {
        if (h <= 0 || w <= 0)
        {
            throw new InvalidInputException(ImageErrorCodes.AspectRatio,
                $"image is {width}×{height} pixels; fitting it into {maxPixels} pixels leaves a side of 0, so it is too elongated for this pixel budget");
        }

        return (h, w);
    }

    private static int RoundHalfEven(double value) => (int)Math.Round(value, MidpointRounding.ToEven);
}
