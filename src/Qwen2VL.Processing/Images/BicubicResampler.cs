using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Qwen2VL.Processing.Images;

/// <summary>
/// Resizes RGB images bit-exactly like Pillow's <c>Image.resize(size, BICUBIC)</c> on 8-bit RGB, which is what the
/// reference image processor does. Written by hand because no .NET imaging library reproduces Pillow's fixed-point
/// arithmetic: a horizontal pass first (skipped when the width is unchanged), clipped to 8 bits, then a vertical
/// pass (skipped when the height is unchanged), each accumulating in 32-bit integers from 0.5 (rounding) and
/// clipping with <c>clip8</c>.
/// </summary>
public static class BicubicResampler
{
    private const int Half = 1 << (ResampleWeights.PrecisionBits - 1);

    /// <summary>Returns <paramref name="image"/> resized to <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width == image.Width && height == image.Height)
        {
            return image;
        }

        var horizontal = width != image.Width ? ResampleWeights.Bicubic(image.Width, width) : null;
        var vertical = height != image.Height ? ResampleWeights.Bicubic(image.Height, height) : null;

        byte[] pixels = image.Pixels;
        int rowOffset = 0;
        if (horizontal is not null)
        {
            // Like Pillow, only the input rows the vertical pass will read are resampled horizontally.
            int firstRow = 0;
            int lastRow = image.Height;
            if (vertical is not null)
            {
                firstRow = vertical.First[0];
                lastRow = vertical.First[height - 1] + vertical.Count[height - 1];
            }

            pixels = ResampleRows(pixels, image.Width, firstRow, lastRow - firstRow, horizontal);
            rowOffset = firstRow;
        }

        if (vertical is not null)
        {
            pixels = ResampleColumns(pixels, width, rowOffset, vertical);
        }

        return new RgbImage(width, height, pixels);
    }

    private static byte[] ResampleRows(byte[] source, int inWidth, int firstRow, int rowCount, ResampleWeights weights)
    {
        int outWidth = weights.OutSize;
        byte[] result = GC.AllocateUninitializedArray<byte>(rowCount * outWidth * 3);
        Parallel.For(0, rowCount, RowPartitionOptions(rowCount, outWidth), row =>
        {
            ReadOnlySpan<byte> src = source.AsSpan(((firstRow + row) * inWidth * 3), inWidth * 3);
            Span<byte> dst = result.AsSpan(row * outWidth * 3, outWidth * 3);
            ResampleRow(src, dst, weights);
        });
        return result;
    }

    /// <summary>
    /// One row of the horizontal pass. Each tap adds one whole pixel: its 4 bytes (R, G, B and the next pixel's R,
    /// whose lane is ignored) widened to 32-bit lanes and scaled by the tap, so the three channels cost one multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ResampleRow(ReadOnlySpan<byte> src, Span<byte> dst, ResampleWeights weights)
    {
        int[] first = weights.First;
        int[] count = weights.Count;
        int stride = weights.TapStride;
        ref int taps = ref MemoryMarshal.GetArrayDataReference(weights.Taps);
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        var half = Vector128.Create(Half, Half, Half, 0);
        for (int o = 0; o < first.Length; o++)
        {
            int n = count[o];
            int p = first[o] * 3;
            ref int k = ref Unsafe.Add(ref taps, o * stride);
            if (Vector128.IsHardwareAccelerated && p + (n * 3) < src.Length)
            {
                var acc = half;
                for (int i = 0; i < n; i++, p += 3)
                {
                    uint packed = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref s, p));
                    var lanes = Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(packed).AsByte()));
                    acc += lanes.AsInt32() * Vector128.Create(Unsafe.Add(ref k, i));
                }

                var clipped = Vector128.Clamp(acc >> ResampleWeights.PrecisionBits, Vector128<int>.Zero, Vector128.Create(255));
                Unsafe.Add(ref d, o * 3) = (byte)clipped.GetElement(0);
                Unsafe.Add(ref d, (o * 3) + 1) = (byte)clipped.GetElement(1);
                Unsafe.Add(ref d, (o * 3) + 2) = (byte)clipped.GetElement(2);
                continue;
            }

            // The last pixel of the buffer has no 4th byte to over-read: plain scalar taps.
            int r = Half;
            int g = Half;
            int b = Half;
            for (int i = 0; i < n; i++, p += 3)
            {
                int tap = Unsafe.Add(ref k, i);
                r += Unsafe.Add(ref s, p) * tap;
                g += Unsafe.Add(ref s, p + 1) * tap;
                b += Unsafe.Add(ref s, p + 2) * tap;
            }

            Unsafe.Add(ref d, o * 3) = Clip8(r);
            Unsafe.Add(ref d, (o * 3) + 1) = Clip8(g);
            Unsafe.Add(ref d, (o * 3) + 2) = Clip8(b);
        }
    }

    private static byte[] ResampleColumns(byte[] source, int width, int rowOffset, ResampleWeights weights)
    {
        int rowBytes = width * 3;
        int outHeight = weights.OutSize;
        byte[] result = GC.AllocateUninitializedArray<byte>(outHeight * rowBytes);
        Parallel.For(0, outHeight, RowPartitionOptions(outHeight, width), row =>
        {
            int firstRow = weights.First[row] - rowOffset;
            ReadOnlySpan<int> taps = weights.Taps.AsSpan(row * weights.TapStride, weights.Count[row]);
            ResampleColumnRow(source.AsSpan(firstRow * rowBytes, taps.Length * rowBytes), rowBytes, taps,
                result.AsSpan(row * rowBytes, rowBytes));
        });
        return result;
    }

    /// <summary>One output row of the vertical pass: a weighted sum of whole input rows, 16 bytes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ResampleColumnRow(ReadOnlySpan<byte> rows, int rowBytes, ReadOnlySpan<int> taps, Span<byte> dst)
    {
        ref byte src = ref MemoryMarshal.GetReference(rows);
        ref byte dstRef = ref MemoryMarshal.GetReference(dst);
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var half = Vector128.Create(Half);
            var max = Vector128.Create(255);
            for (; x + 16 <= rowBytes; x += 16)
            {
                Vector128<int> a0 = half, a1 = half, a2 = half, a3 = half;
                for (int i = 0; i < taps.Length; i++)
                {
                    var v = Vector128.LoadUnsafe(ref src, (nuint)((i * rowBytes) + x));
                    var (lo, hi) = Vector128.Widen(v);
                    var (w0, w1) = Vector128.Widen(lo);
                    var (w2, w3) = Vector128.Widen(hi);
                    var k = Vector128.Create(taps[i]);
                    a0 += w0.AsInt32() * k;
                    a1 += w1.AsInt32() * k;
                    a2 += w2.AsInt32() * k;
                    a3 += w3.AsInt32() * k;
                }

                var c0 = Vector128.Clamp(a0 >> ResampleWeights.PrecisionBits, Vector128<int>.Zero, max);
                var c1 = Vector128.Clamp(a1 >> ResampleWeights.PrecisionBits, Vector128<int>.Zero, max);
                var c2 = Vector128.Clamp(a2 >> ResampleWeights.PrecisionBits, Vector128<int>.Zero, max);
                var c3 = Vector128.Clamp(a3 >> ResampleWeights.PrecisionBits, Vector128<int>.Zero, max);
                var packed = Vector128.Narrow(
                    Vector128.Narrow(c0.AsUInt32(), c1.AsUInt32()),
                    Vector128.Narrow(c2.AsUInt32(), c3.AsUInt32()));
                packed.StoreUnsafe(ref dstRef, (nuint)x);
            }
        }

        for (; x < rowBytes; x++)
        {
            int acc = Half;
            for (int i = 0; i < taps.Length; i++)
            {
                acc += Unsafe.Add(ref src, (i * rowBytes) + x) * taps[i];
            }

            Unsafe.Add(ref dstRef, x) = Clip8(acc);
        }
    }

    /// <summary>Pillow's <c>clip8</c>: drop the fractional bits, saturate to 0–255.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clip8(int value) => (byte)Math.Clamp(value >> ResampleWeights.PrecisionBits, 0, 255);

    private static ParallelOptions RowPartitionOptions(int rows, int width) => new()
    {
        // Small images are not worth the scheduling cost of more than one worker.
        MaxDegreeOfParallelism = (long)rows * width < 65_536 ? 1 : Environment.ProcessorCount,
    };
}
