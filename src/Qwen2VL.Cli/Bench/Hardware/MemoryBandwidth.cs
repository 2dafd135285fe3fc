using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Qwen2VL.Cli.Bench.Hardware;

/// <summary>
/// Measures the memory read bandwidth that bounds batch-1 decoding: several threads each stream through their share of
/// one buffer at least as large as the model's weights with the widest vector loads the CPU has (Vector512, else
/// Vector256), so no cache holds it. Written here rather than as a LibTorch op because LibTorch's reductions and
/// matrix-vector products run well under the memory's speed on this hardware and would flatter every ratio.
/// </summary>
internal static unsafe class MemoryBandwidth
{
    /// <summary>
    /// Bytes per second of the median and of the best of <paramref name="repeats"/> passes over <paramref name="bytes"/>
    /// bytes by <paramref name="threads"/> threads. The median is the floor's rate: on the shared benchmark machine
    /// single passes now and then read at 1.7× the rate of all the others (59 against 32–34 GB/s), a rate no decode
    /// run lasting seconds sees, and the best pass alone made the floor jump between runs.
    /// </summary>
    public static (double Median, double Best) Measure(long bytes, int threads, int repeats = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        bytes = (bytes + 4095) / 4096 * 4096;
        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        try
        {
            // Touch every page first: first-touch page faults would otherwise dominate the first pass.
            NativeMemory.Fill(buffer, (nuint)bytes, 1);
            long share = bytes / threads / 4096 * 4096;
            var rates = new List<double>(repeats);
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var sums = new float[threads];
                var workers = new Thread[threads];
                for (int t = 0; t < threads; t++)
                {
                    int index = t;
                    workers[t] = new Thread(() => sums[index] = Sum(buffer + (index * share), share)) { IsBackground = true };
                    workers[t].Start();
                }

                foreach (var worker in workers)
                {
                    worker.Join();
                }

                double seconds = clock.Elapsed.TotalSeconds;
                // The sums are kept alive (and checked) so the reads cannot be optimised away.
                if (float.IsNaN(sums.Sum()))
                {
                    throw new InvalidOperationException("bandwidth kernel produced NaN");
                }

                rates.Add(share * threads / seconds);
            }

            return (Median.Of(rates), rates.Max());
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    /// <summary>Reads <paramref name="length"/> bytes (a multiple of 256) with four independent accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(byte* data, long length)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var a0 = Vector512<float>.Zero;
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            for (long i = 0; i < length; i += 256)
            {
                a0 += Vector512.LoadAligned((float*)(data + i));
                a1 += Vector512.LoadAligned((float*)(data + i + 64));
                a2 += Vector512.LoadAligned((float*)(data + i + 128));
                a3 += Vector512.LoadAligned((float*)(data + i + 192));
            }

            return Vector512.Sum(a0 + a1 + a2 + a3);
        }

        var b0 = Vector256<float>.Zero;
        var b1 = Vector256<float>.Zero;
        var b2 = Vector256<float>.Zero;
        var b3 = Vector256<float>.Zero;
        for (long i = 0; i < length; i += 128)
        {
            b0 += Vector256.LoadAligned((float*)(data + i));
            b1 += Vector256.LoadAligned((float*)(data + i + 32));
            b2 += Vector256.LoadAligned((float*)(data + i + 64));
            b3 += Vector256.LoadAligned((float*)(data + i + 96));
        }

        return Vector256.Sum(b0 + b1 + b2 + b3);
    }
}
