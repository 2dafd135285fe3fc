using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// y = x·Wᵀ + b for bfloat16 rows x (a decode step) against a bfloat16 weight W [out, in] on the CPU. LibTorch's bf16
/// matrix-vector product reads weights at well under the memory's speed on AVX-512 CPUs without AMX (about 20 GB/s where
/// a streaming read reaches 50+), and batch-1 decoding is nothing but such products, so this kernel streams W once with
/// 512-bit loads instead: each group of four weight rows is read from memory once and reused from cache for every
/// input row. A bfloat16 is the top half of a
/// float32, so each 32-bit lane holding the pair (w[2k], w[2k+1]) yields both as floats with one shift and one mask;
/// x is converted to float32 once, split into even and odd elements per 32-element block to match. Accumulation is
/// float32 with one rounding to bfloat16 at the end, as LibTorch does, so results agree with <c>F.linear</c> up to
/// summation order. Where the AVX512-BF16 kernel (<see cref="Bf16NativeLinear"/>) was built and the CPU runs it, that
/// kernel serves decode rows instead; this one is the fallback for other AVX-512 or AVX2 CPUs and builds without a C
/// compiler.
/// </summary>
internal static unsafe class Bf16MatVec
{
    private const int Block = 32;
    private const int RowsPerGroup = 4;

    /// <summary>
    /// Most input rows the kernel takes. Measured side by side, LibTorch's bf16 GEMM (AVX512-BF16 dot products) already
    /// beats this kernel's shift-and-FMA arithmetic from 4 rows on (see docs/performance-log.md), so only the single-row
    /// case, batch-1 decoding, is routed here.
    /// </summary>
    public const int MaxInputRows = 1;

    // A span over tensor memory is limited to int.MaxValue bytes; larger weights (the 72B head) run in row chunks.
    private const long MaxChunkBytes = 1L << 30;

    /// <summary>Whether the kernel applies: at most <see cref="MaxInputRows"/> bf16 rows on the CPU, a contiguous bf16 weight with in % 32 == 0, AVX-512 present.</summary>
    public static bool Applies(Tensor input, Tensor weight) =>
        Vector512.IsHardwareAccelerated
        && input.dtype == ScalarType.BFloat16
        && weight.dtype == ScalarType.BFloat16
        && input.device_type == DeviceType.CPU
        && weight.device_type == DeviceType.CPU
        && weight.dim() == 2
        && weight.shape[1] % Block == 0
        && input.dim() >= 1
        && input.shape[^1] == weight.shape[1]
        && input.numel() <= MaxInputRows * weight.shape[1]
        && weight.is_contiguous();

    /// <summary>Computes the projection of <paramref name="input"/> [..., in] as a bf16 tensor [..., out].</summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        int inFeatures = (int)weight.shape[1];
        int outFeatures = (int)weight.shape[0];
        int inputRows = (int)(input.numel() / inFeatures);
        float[] x = SplitEvenOdd(input, inputRows, inFeatures);
        float[]? b = bias is null ? null : ToFloats(bias, outFeatures);
        long[] shape = input.shape.ToArray();
        shape[^1] = outFeatures;
        var output = empty(shape, ScalarType.BFloat16, input.device);
        ushort* y = (ushort*)TensorAddress.Of(output);

        long rowBytes = 2L * inFeatures;
        int chunkRows = (int)Math.Max(RowsPerGroup, MaxChunkBytes / rowBytes / RowsPerGroup * RowsPerGroup);
        for (int start = 0; start < outFeatures; start += chunkRows)
        {
            int rows = Math.Min(chunkRows, outFeatures - start);
            using var chunk = weight.narrow(0, start, rows);
            var w = (ushort*)TensorAddress.Of(chunk);
            RunParallel(new Inputs(x, inputRows, inFeatures, outFeatures, b), w, y, start, rows);
        }

        return output;
    }

    /// <summary>The converted input rows and what every worker needs to place its results.</summary>
    private sealed record Inputs(float[] X, int Rows, int InFeatures, int OutFeatures, float[]? Bias);

    private static void RunParallel(Inputs inputs, ushort* w, ushort* y, int firstRow, int rows)
    {
        int parts = Math.Max(1, Math.Min(get_num_threads(), Environment.ProcessorCount));
        int groups = (rows + RowsPerGroup - 1) / RowsPerGroup;
        parts = Math.Min(parts, groups);
        if (parts == 1)
        {
            Rows(inputs, w, y, firstRow, 0, rows);
            return;
        }

        // Contiguous row ranges, one per thread, so each thread streams its own part of W.
        nint weights = (nint)w, outputs = (nint)y;
        Parallel.For(0, parts, p =>
        {
            int from = (int)((long)groups * p / parts) * RowsPerGroup;
            int to = Math.Min(rows, (int)((long)groups * (p + 1) / parts) * RowsPerGroup);
            Rows(inputs, (ushort*)weights, (ushort*)outputs, firstRow, from, to);
        });
    }

    /// <summary>Weight rows [from, to) of the chunk starting at output column <paramref name="firstRow"/>, for every input row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(Inputs inputs, ushort* w, ushort* y, int firstRow, int from, int to)
    {
        int n = inputs.InFeatures;
        int outFeatures = inputs.OutFeatures;
        var b = inputs.Bias;
        fixed (float* xs = inputs.X)
        {
            int row = from;
            for (; row + RowsPerGroup <= to; row += RowsPerGroup)
            {
                ushort* w0 = w + ((long)row * n);
                int column = firstRow + row;
                // The group's weights come from memory for t = 0 and from cache for the other input rows.
                for (int t = 0; t < inputs.Rows; t++)
                {
                    var (s0, s1, s2, s3) = Dot4(xs + ((long)t * n), w0, n);
                    ushort* yt = y + ((long)t * outFeatures);
                    Store(yt, b, column, s0);
                    Store(yt, b, column + 1, s1);
                    Store(yt, b, column + 2, s2);
                    Store(yt, b, column + 3, s3);
                }
            }

            for (; row < to; row++)
            {
                for (int t = 0; t < inputs.Rows; t++)
                {
                    Store(y + ((long)t * outFeatures), b, firstRow + row, Dot1(xs + ((long)t * n), w + ((long)row * n), n));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float, float, float, float) Dot4(float* x, ushort* w0, int n)
    {
        ushort* w1 = w0 + n;
        ushort* w2 = w1 + n;
        ushort* w3 = w2 + n;
        var a0 = Vector512<float>.Zero;
        var a1 = Vector512<float>.Zero;
        var a2 = Vector512<float>.Zero;
        var a3 = Vector512<float>.Zero;
        for (int j = 0; j < n; j += Block)
        {
            var xe = Vector512.Load(x + j);
            var xo = Vector512.Load(x + j + 16);
            a0 = Accumulate(a0, Vector512.Load((uint*)(w0 + j)), xe, xo);
            a1 = Accumulate(a1, Vector512.Load((uint*)(w1 + j)), xe, xo);
            a2 = Accumulate(a2, Vector512.Load((uint*)(w2 + j)), xe, xo);
            a3 = Accumulate(a3, Vector512.Load((uint*)(w3 + j)), xe, xo);
        }

        return (Vector512.Sum(a0), Vector512.Sum(a1), Vector512.Sum(a2), Vector512.Sum(a3));
    }

    private static float Dot1(float* x, ushort* w, int n)
    {
        var a = Vector512<float>.Zero;
        for (int j = 0; j < n; j += Block)
        {
            a = Accumulate(a, Vector512.Load((uint*)(w + j)), Vector512.Load(x + j), Vector512.Load(x + j + 16));
        }

        return Vector512.Sum(a);
    }

    /// <summary>acc + even(w)·xe + odd(w)·xo, where each uint lane of <paramref name="pairs"/> holds (w[2k], w[2k+1]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Accumulate(Vector512<float> acc, Vector512<uint> pairs, Vector512<float> xe, Vector512<float> xo)
    {
        var even = Vector512.ShiftLeft(pairs, 16).AsSingle();
        var odd = (pairs & Vector512.Create(0xFFFF0000u)).AsSingle();
        return Vector512.FusedMultiplyAdd(odd, xo, Vector512.FusedMultiplyAdd(even, xe, acc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ushort* y, float[]? b, int row, float sum) =>
        y[row] = ToBFloat16(b is null ? sum : sum + b[row]);

    /// <summary>x as float32, each 32-element block of each row reordered to its 16 even then its 16 odd elements.</summary>
    private static float[] SplitEvenOdd(Tensor input, int rows, int n)
    {
        using var flat = input.reshape(rows * n).contiguous();
        var source = new ReadOnlySpan<ushort>((void*)TensorAddress.Of(flat), rows * n);
        var x = new float[rows * n];
        for (int j = 0; j < rows * n; j += Block)
        {
            for (int k = 0; k < Block / 2; k++)
            {
                x[j + k] = FromBFloat16(source[j + (2 * k)]);
                x[j + 16 + k] = FromBFloat16(source[j + (2 * k) + 1]);
            }
        }

        return x;
    }

    private static float[] ToFloats(Tensor bias, int n)
    {
        using var contiguous = bias.to(ScalarType.Float32).contiguous();
        return MemoryMarshal.Cast<byte, float>(contiguous.bytes).ToArray()[..n];
    }

    private static float FromBFloat16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40); // keep it a NaN after truncation
        }

        bits += 0x7FFF + ((bits >> 16) & 1); // round to nearest even
        return (ushort)(bits >> 16);
    }
}
