using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Qwen2VL.Processing.Images;

/// <summary>Channel-layout conversions on raw 8-bit pixel buffers.</summary>
internal static class PixelConversions
{
    // Picks R, G, B of four RGBA pixels into the first 12 bytes; the last 4 are don't-care and get overwritten.
    private static readonly Vector128<byte> DropAlphaShuffle =
        Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0, 0, 0, 0);

    /// <summary>Drops the fourth byte of every pixel (alpha is discarded, not composited, as the reference does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] RgbaToRgb(byte[] rgba, int pixelCount)
    {
        byte[] rgb = GC.AllocateUninitializedArray<byte>(checked(pixelCount * 3));
        ref byte src = ref MemoryMarshal.GetArrayDataReference(rgba);
        ref byte dst = ref MemoryMarshal.GetArrayDataReference(rgb);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Each step stores 16 bytes of which 12 are kept, so stop while 16 still fit in the destination.
            for (; i + 4 <= pixelCount && (i * 3) + 16 <= rgb.Length; i += 4)
            {
                var block = Vector128.LoadUnsafe(ref src, (nuint)(i * 4));
                Vector128.Shuffle(block, DropAlphaShuffle).StoreUnsafe(ref dst, (nuint)(i * 3));
            }
        }

        for (; i < pixelCount; i++)
        {
            Unsafe.Add(ref dst, i * 3) = Unsafe.Add(ref src, i * 4);
            Unsafe.Add(ref dst, (i * 3) + 1) = Unsafe.Add(ref src, (i * 4) + 1);
            Unsafe.Add(ref dst, (i * 3) + 2) = Unsafe.Add(ref src, (i * 4) + 2);
        }

        return rgb;
    }
}
