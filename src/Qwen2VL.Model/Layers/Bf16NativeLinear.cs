using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// y = x·Wᵀ + b for up to <see cref="MaxInputRows"/> bfloat16 rows (decode steps) through the AVX512-BF16 kernel of
/// <c>Native/bf16_linear.c</c> (<see cref="NativeKernelLibrary"/>). Without the library or the instructions,
/// <see cref="Available"/> is false and callers fall back to
/// <see cref="Bf16MatVec"/> or LibTorch. The output rows are split into contiguous ranges, one per thread, so each
/// thread streams its own part of W once for all input rows.
/// </summary>
internal static unsafe class Bf16NativeLinear
{
    /// <summary>
    /// Most input rows the kernel takes. Measured side by side with LibTorch's bf16 GEMM (`bench --suite linear`), the
    /// kernel is ahead up to here; longer inputs (prefill) are compute-bound and go to LibTorch.
    /// </summary>
    public const int MaxInputRows = 16;

    // A span over tensor memory is limited to int.MaxValue bytes; larger weights (the 72B head) run in row chunks.
    private const long MaxChunkBytes = 1L << 30;

    /// <summary>Whether the native kernel was built, loaded, and this CPU has AVX-512 with BF16 dot products.</summary>
    public static bool Available => NativeKernelLibrary.LinearRows != null;

    /// <summary>Whether the kernel applies: 1–<see cref="MaxInputRows"/> contiguous bf16 rows and a contiguous bf16 weight on the CPU.</summary>
    public static bool Applies(Tensor input, Tensor weight) =>
        Supports(input, weight) && input.numel() <= MaxInputRows * weight.shape[1];

    /// <summary>Whether the kernel can compute this product in chunks of <see cref="MaxInputRows"/> rows (<see cref="ApplyInChunks"/>).</summary>
    public static bool Supports(Tensor input, Tensor weight) =>
        Available
        && input.dtype == ScalarType.BFloat16
        && weight.dtype == ScalarType.BFloat16
        && input.device_type == DeviceType.CPU
        && weight.device_type == DeviceType.CPU
        && weight.dim() == 2
        && input.dim() >= 1
        && input.shape[^1] == weight.shape[1]
        && input.numel() > 0
        && weight.is_contiguous();

    /// <summary>
    /// Computes the projection of <paramref name="input"/> [rows, in] <see cref="MaxInputRows"/> rows at a time, so each
    /// row's result is the same whatever the number of rows (W is streamed once per chunk).
    /// </summary>
    public static Tensor ApplyInChunks(Tensor input, Tensor weight, Tensor? bias)
    {
        long rows = input.shape[0];
        if (rows <= MaxInputRows)
        {
            return Apply(input, weight, bias);
        }

        var chunks = new Tensor[(rows + MaxInputRows - 1) / MaxInputRows];
        try
        {
            for (int c = 0; c < chunks.Length; c++)
            {
                using var part = input.narrow(0, (long)c * MaxInputRows, Math.Min(MaxInputRows, rows - ((long)c * MaxInputRows)));
                chunks[c] = Apply(part, weight, bias);
            }

            return cat(chunks, 0);
        }
        finally
        {
            foreach (var chunk in chunks)
            {
                chunk?.Dispose();
            }
        }
    }

    /// <summary>Computes the projection of <paramref name="input"/> [..., in] as a bf16 tensor [..., out].</summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        long inFeatures = weight.shape[1];
        long outFeatures = weight.shape[0];
        int inputRows = (int)(input.numel() / inFeatures);
        long[] shape = input.shape.ToArray();
        shape[^1] = outFeatures;
        using var x = input.contiguous();
        using var b = bias?.to(ScalarType.Float32).contiguous();
        var output = empty(shape, ScalarType.BFloat16, input.device);
        var call = new Call(TensorAddress.Of(x), inputRows, inFeatures, outFeatures, b is null ? 0 : TensorAddress.Of(b), TensorAddress.Of(output));

        long rowBytes = 2L * inFeatures;
        long chunkRows = Math.Max(4, MaxChunkBytes / rowBytes / 4 * 4);
        for (long start = 0; start < outFeatures; start += chunkRows)
        {
            long rows = Math.Min(chunkRows, outFeatures - start);
            using var chunk = weight.narrow(0, start, rows);
            RunParallel(call, TensorAddress.Of(chunk) - (nint)(start * rowBytes), start, start + rows);
        }

        return output;
    }

    /// <summary>The pointers and sizes every thread passes to the kernel.</summary>
    private sealed record Call(nint X, int Rows, long InFeatures, long OutFeatures, nint Bias, nint Y);

    /// <summary>Rows [from, to) of W, whose row 0 is at <paramref name="weight"/> (rows before from are never read).</summary>
    private static void RunParallel(Call call, nint weight, long from, long to)
    {
        long groups = (to - from + 3) / 4;
        SpinningPartWorkers.Shared.RunSplit(groups, (first, end) => Run(call, weight, from + (first * 4), Math.Min(to, from + (end * 4))));
    }

    private static void Run(Call call, nint weight, long from, long to) =>
        NativeKernelLibrary.LinearRows((ushort*)call.X, call.Rows, call.InFeatures, (ushort*)weight, call.OutFeatures, (float*)call.Bias, (ushort*)call.Y, from, to);
}
