namespace Qwen2VL.Processing.Images;

/// <summary>
/// Fixed-point filter taps for resampling one axis, computed exactly as Pillow's <c>precompute_coeffs</c> and
/// <c>normalize_coeffs_8bpc</c> do: the kernel is widened by the downscale factor (antialiasing), each output
/// sample's taps are normalised to sum 1 in double precision and then rounded half away from zero to
/// <see cref="PrecisionBits"/> fractional bits.
/// </summary>
internal sealed class ResampleWeights
{
    /// <summary>Fractional bits of the fixed-point taps (Pillow: 32 − 8 − 2).</summary>
    public const int PrecisionBits = 22;

    /// <summary>Support of the bicubic kernel at scale 1.</summary>
    private const double BicubicSupport = 2.0;

    private ResampleWeights(int outSize, int tapStride, int[] first, int[] count, int[] taps)
    {
        OutSize = outSize;
        TapStride = tapStride;
        First = first;
        Count = count;
        Taps = taps;
    }

    /// <summary>Number of output samples.</summary>
    public int OutSize { get; }

    /// <summary>Taps reserved per output sample in <see cref="Taps"/>.</summary>
    public int TapStride { get; }

    /// <summary>Index of the first input sample each output sample reads.</summary>
    public int[] First { get; }

    /// <summary>Number of input samples each output sample reads.</summary>
    public int[] Count { get; }

    /// <summary>Fixed-point weights, <see cref="TapStride"/> per output sample.</summary>
    public int[] Taps { get; }

    /// <summary>Bicubic (a = −0.5) weights mapping <paramref name="inSize"/> samples onto <paramref name="outSize"/>.</summary>
    public static ResampleWeights Bicubic(int inSize, int outSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outSize);
        double scale = inSize / (double)outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = BicubicSupport * filterScale;
        int tapStride = ((int)Math.Ceiling(support) * 2) + 1;
        var first = new int[outSize];
        var count = new int[outSize];
        var taps = new int[outSize * tapStride];
        var weights = new double[tapStride];
        double inverseFilterScale = 1.0 / filterScale;
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;

            // Pillow truncates toward zero here (a C cast); negative starts are clamped to 0 right after, so
            // truncation and floor agree.
            int lo = Math.Max(0, (int)(center - support + 0.5));
            int hi = Math.Min(inSize, (int)(center + support + 0.5));
            int n = hi - lo;
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                // Same operation order as the reference so the doubles match bit for bit.
                double w = BicubicKernel(((i + lo) - center + 0.5) * inverseFilterScale);
                weights[i] = w;
                sum += w;
            }

            for (int i = 0; i < n; i++)
            {
                double w = sum != 0.0 ? weights[i] / sum : weights[i];
                double scaled = w * (1 << PrecisionBits);
                taps[(o * tapStride) + i] = (int)(w < 0 ? scaled - 0.5 : scaled + 0.5);
            }

            first[o] = lo;
            count[o] = n;
        }

        return new ResampleWeights(outSize, tapStride, first, count, taps);
    }

    private static double BicubicKernel(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0)
        {
            return ((((a + 2.0) * x) - (a + 3.0)) * x * x) + 1;
        }

        if (x < 2.0)
        {
            return ((((x - 5) * x) + 8) * x - 4) * a;
        }

        return 0.0;
    }
}
