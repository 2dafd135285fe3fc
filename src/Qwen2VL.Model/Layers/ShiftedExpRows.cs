using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// The numerator of a row softmax, in place: each row s becomes exp(s − max(s)), and its sum is written out, so the
/// caller normalises after multiplying by V (a [rows, head_dim] division instead of a pass over [rows, keys]).
/// LibTorch's softmax on a bf16 row converts it to a float32 buffer, makes three passes and allocates its output; here
/// one pass finds the maximum and one computes, rounds and sums, about 1.8× faster on AVX-512. Arithmetic is float32
/// in both dtypes; bf16 results are rounded to nearest even, and the sum adds the rounded values, so the normalised
/// weights sum to one.
/// </summary>
internal static unsafe class ShiftedExpRows
{
    private const int Lanes = 16;

    // exp(x) underflows float32's normal range below about −87.3; clamping there keeps 2ⁿ a valid exponent.
    private const float MinExponent = -87.0f;

    /// <summary>Whether the kernel runs at vector speed on this CPU.</summary>
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;

    /// <summary>
    /// Replaces the first <paramref name="rows"/> rows of the contiguous CPU matrix <paramref name="scores"/> (bf16 or
    /// float32) by exp(row − row max) and writes each row's sum to <paramref name="sums"/> (float32, at least
    /// <paramref name="rows"/> contiguous elements).
    /// </summary>
    public static void Apply(Tensor scores, long rows, Tensor sums)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(sums);
        if (scores.dim() != 2 || !scores.is_contiguous() || scores.device_type != DeviceType.CPU || rows > scores.shape[0])
        {
            throw new ArgumentException($"scores must be a contiguous CPU matrix with at least {rows} rows; got [{string.Join(", ", scores.shape)}] on {scores.device}");
        }

        if (sums.dtype != ScalarType.Float32 || !sums.is_contiguous() || sums.numel() < rows)
        {
            throw new ArgumentException($"sums must be {rows} contiguous float32 values; got {sums.dtype} with {sums.numel()} elements");
        }

        int n = checked((int)scores.shape[1]);
        float* sum = (float*)TensorAddress.Of(sums);
        switch (scores.dtype)
        {
            case ScalarType.BFloat16:
                ushort* b = (ushort*)TensorAddress.Of(scores);
                for (long r = 0; r < rows; r++)
                {
                    sum[r] = Bf16Row(b + (r * n), n);
                }

                break;
            case ScalarType.Float32:
                float* f = (float*)TensorAddress.Of(scores);
                for (long r = 0; r < rows; r++)
                {
                    sum[r] = Float32Row(f + (r * n), n);
                }

                break;
            default:
                throw new ArgumentException($"scores must be bfloat16 or float32, not {scores.dtype}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Bf16Row(ushort* s, int n)
    {
        int vectorEnd = n & ~((2 * Lanes) - 1);
        var max = Vector512.Create(float.NegativeInfinity);
        for (int i = 0; i < vectorEnd; i += 2 * Lanes)
        {
            var pair = Vector512.Load(s + i);
            max = Vector512.Max(max, Vector512.Max(Lower(pair), Upper(pair)));
        }

        float m = HorizontalMax(max);
        for (int i = vectorEnd; i < n; i++)
        {
            m = MathF.Max(m, FromBFloat16(s[i]));
        }

        var shift = Vector512.Create(m);
        var total = Vector512<float>.Zero;
        for (int i = 0; i < vectorEnd; i += 2 * Lanes)
        {
            var pair = Vector512.Load(s + i);
            var lower = RoundToBFloat16Bits(Exp(Lower(pair) - shift));
            var upper = RoundToBFloat16Bits(Exp(Upper(pair) - shift));
            total += Vector512.ShiftLeft(lower, 16).AsSingle() + Vector512.ShiftLeft(upper, 16).AsSingle();
            Vector512.Narrow(lower, upper).Store(s + i);
        }

        float sum = Vector512.Sum(total);
        for (int i = vectorEnd; i < n; i++)
        {
            ushort rounded = ToBFloat16(MathF.Exp(FromBFloat16(s[i]) - m));
            s[i] = rounded;
            sum += FromBFloat16(rounded);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Float32Row(float* s, int n)
    {
        int vectorEnd = n & ~(Lanes - 1);
        var max = Vector512.Create(float.NegativeInfinity);
        for (int i = 0; i < vectorEnd; i += Lanes)
        {
            max = Vector512.Max(max, Vector512.Load(s + i));
        }

        float m = HorizontalMax(max);
        for (int i = vectorEnd; i < n; i++)
        {
            m = MathF.Max(m, s[i]);
        }

        var shift = Vector512.Create(m);
        var total = Vector512<float>.Zero;
        for (int i = 0; i < vectorEnd; i += Lanes)
        {
            var e = Exp(Vector512.Load(s + i) - shift);
            total += e;
            e.Store(s + i);
        }

        float sum = Vector512.Sum(total);
        for (int i = vectorEnd; i < n; i++)
        {
            s[i] = MathF.Exp(s[i] - m);
            sum += s[i];
        }

        return sum;
    }

    /// <summary>
    /// exp(x) for x ≤ 0 to about one float32 ulp: x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 polynomial for e^r
    /// (Cephes' expf coefficients), and 2ⁿ added to the exponent bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> x)
    {
        const float RoundingBias = 12582912.0f; // 1.5·2²³: adding it leaves round(x·log₂e) in the low mantissa bits
        x = Vector512.Max(x, Vector512.Create(MinExponent));
        var biased = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269504f), Vector512.Create(RoundingBias));
        var n = biased - Vector512.Create(RoundingBias);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        // The low 9 bits of the biased value are n in two's complement; shifted into the exponent field they scale p by 2ⁿ.
        var twoToN = Vector512.ShiftLeft(biased.AsInt32(), 23);
        return (p.AsInt32() + twoToN).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lower(Vector512<ushort> pair) => Vector512.ShiftLeft(Vector512.WidenLower(pair), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Upper(Vector512<ushort> pair) => Vector512.ShiftLeft(Vector512.WidenUpper(pair), 16).AsSingle();

    /// <summary>The bf16 bits (in the low half of each lane) of finite, non-negative x, rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RoundToBFloat16Bits(Vector512<float> x)
    {
        var bits = x.AsUInt32();
        var odd = Vector512.ShiftRightLogical(bits, 16) & Vector512<uint>.One;
        return Vector512.ShiftRightLogical(bits + Vector512.Create(0x7FFFu) + odd, 16);
    }

    private static float HorizontalMax(Vector512<float> v)
    {
        float m = float.NegativeInfinity;
        for (int i = 0; i < Lanes; i++)
        {
            m = MathF.Max(m, v[i]);
        }

        return m;
    }

    private static float FromBFloat16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }
}
