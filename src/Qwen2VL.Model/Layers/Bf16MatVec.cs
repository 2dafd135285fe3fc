using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// y = W·x + b for one bfloat16 row x against a bfloat16 weight W [out, in] on the CPU: the batch-1 decode case.
/// LibTorch's bf16 matrix-vector product reads weights at well under the memory's speed on AVX-512 CPUs (about 20 GB/s
/// where a streaming read reaches 50+), and decoding one token is nothing but such products, so this kernel streams W
/// once with 512-bit loads instead. A bfloat16 is the top half of a float32, so each 32-bit lane holding the pair
/// (w[2k], w[2k+1]) yields both as floats with one shift and one mask; x is converted to float32 once, split into
/// even and odd elements per 32-element block to match. Accumulation is float32 with one rounding to bfloat16 at the
/// end, as LibTorch does, so results agree with <c>F.linear</c> up to summation order.
/// </summary>
internal static unsafe class Bf16MatVec
{
    private const int Block = 32;
    private const int RowsPerGroup = 4;

    // A span over tensor memory is limited to int.MaxValue bytes; larger weights (the 72B head) run in row chunks.
    private const long MaxChunkBytes = 1L << 30;

    /// <summary>Whether the kernel applies: one bf16 row on the CPU, a contiguous bf16 weight with in % 32 == 0, AVX-512 present.</summary>
    public static bool Applies(Tensor input, Tensor weight) =>
        Vector512.IsHardwareAccelerated
        && input.dtype == ScalarType.BFloat16
        && weight.dtype == ScalarType.BFloat16
        && input.device_type == DeviceType.CPU
        && weight.device_type == DeviceType.CPU
        && weight.dim() == 2
        && weight.shape[1] % Block == 0
        && input.numel() == weight.shape[1]
        && weight.is_contiguous();

    /// <summary>Computes the projection of <paramref name="input"/> (shape [..., in] with one row) as a bf16 tensor [..., out].</summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        int inFeatures = (int)weight.shape[1];
        int outFeatures = (int)weight.shape[0];
        float[] x = SplitEvenOdd(input, inFeatures);
        float[]? b = bias is null ? null : ToFloats(bias, outFeatures);
        long[] shape = input.shape.ToArray();
        shape[^1] = outFeatures;
        var output = empty(shape, ScalarType.BFloat16, input.device);
        ushort* y = (ushort*)Pointer(output);

        long rowBytes = 2L * inFeatures;
        int chunkRows = (int)Math.Max(RowsPerGroup, MaxChunkBytes / rowBytes / RowsPerGroup * RowsPerGroup);
        for (int start = 0; start < outFeatures; start += chunkRows)
        {
            int rows = Math.Min(chunkRows, outFeatures - start);
            using var chunk = weight.narrow(0, start, rows);
            var w = (ushort*)Pointer(chunk);
            RunParallel(x, w, b, y, start, rows, inFeatures);
        }

        return output;
    }

    private static void RunParallel(float[] x, ushort* w, float[]? b, ushort* y, int firstRow, int rows, int inFeatures)
    {
        int parts = Math.Max(1, Math.Min(get_num_threads(), Environment.ProcessorCount));
        int groups = (rows + RowsPerGroup - 1) / RowsPerGroup;
        parts = Math.Min(parts, groups);
        if (parts == 1)
        {
            Rows(x, w, b, y, firstRow, 0, rows, inFeatures);
            return;
        }

        // Contiguous row ranges, one per thread, so each thread streams its own part of W.
        nint weights = (nint)w, outputs = (nint)y;
        Parallel.For(0, parts, p =>
        {
            int from = (int)((long)groups * p / parts) * RowsPerGroup;
            int to = Math.Min(rows, (int)((long)groups * (p + 1) / parts) * RowsPerGroup);
            Rows(x, (ushort*)weights, b, (ushort*)outputs, firstRow, from, to, inFeatures);
        });
    }

    /// <summary>Rows [from, to) of the chunk starting at output row <paramref name="firstRow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(float[] xs, ushort* w, float[]? b, ushort* y, int firstRow, int from, int to, int inFeatures)
    {
        fixed (float* x = xs)
        {
            int row = from;
            for (; row + RowsPerGroup <= to; row += RowsPerGroup)
            {
                ushort* w0 = w + ((long)row * inFeatures);
                var (s0, s1, s2, s3) = Dot4(x, w0, inFeatures);
                Store(y, b, firstRow + row, s0);
                Store(y, b, firstRow + row + 1, s1);
                Store(y, b, firstRow + row + 2, s2);
                Store(y, b, firstRow + row + 3, s3);
            }

            for (; row < to; row++)
            {
                Store(y, b, firstRow + row, Dot1(x, w + ((long)row * inFeatures), inFeatures));
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

    /// <summary>x as float32, each 32-element block reordered to its 16 even then its 16 odd elements.</summary>
    private static float[] SplitEvenOdd(Tensor input, int n)
    {
        using var row = input.reshape(n).contiguous();
        var source = new ReadOnlySpan<ushort>((void*)Pointer(row), n);
        var x = new float[n];
        for (int j = 0; j < n; j += Block)
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

    // Tensor storage is native memory that never moves, so its address stays valid while the tensor lives.
    private static nint Pointer(Tensor t) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

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
