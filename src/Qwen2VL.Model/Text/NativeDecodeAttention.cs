using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>
/// Attention of a pure decode step (one new token per sequence) through <c>Native/bf16_decode_attention.c</c>: each
/// (sequence, kv head) reads its own cache in place and is computed the same way whatever else shares the step, and
/// the whole step is one call split across the kernel threads instead of one LibTorch call per sequence.
/// </summary>
public static unsafe class NativeDecodeAttention
{
    // The C side keeps a head's accumulators and a block of scores on the stack, sized for these.
    private const int MaxHeadDim = 256;
    private const int MaxQueryGroups = 16;

    /// <summary>
    /// Whether the native decode attention serves pure decode steps (default, where it applies) or LibTorch's SDPA per
    /// sequence does. A process-wide switch so benchmarks can compare both side by side in one run.
    /// </summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Whether the kernel handles these queries: bf16 on the CPU and head sizes it was built for.</summary>
    internal static bool Supports(Tensor q, int heads, int kvHeads, int headDim) =>
        Enabled && NativeKernelLibrary.DecodeAttention != null && q.dtype == ScalarType.BFloat16 && q.device_type == DeviceType.CPU
        && headDim % 32 == 0 && headDim <= MaxHeadDim && heads % kvHeads == 0 && heads / kvHeads <= MaxQueryGroups;

    /// <summary>
    /// Writes each sequence's new key and value (row s of <paramref name="k"/> and <paramref name="v"/>
    /// [n, kv_heads, head_dim]) to its cache, then attends; returns [n, heads · head_dim]. Segment s must be one new
    /// token at row s.
    /// </summary>
    internal static Tensor Attend(Tensor q, Tensor k, Tensor v, IReadOnlyList<SegmentPlan> segments, int layer, int heads, int kvHeads, int headDim)
    {
        int count = segments.Count;
        for (int s = 0; s < count; s++)
        {
            if (segments[s].NewTokens != 1 || segments[s].Offset != s)
            {
                throw new ArgumentException($"segment {s} is not one new token at row {s}", nameof(segments));
            }
        }

        var keys = new nint[count];
        var values = new nint[count];
        var headStrides = new long[count];
        var lengths = new long[count];
        for (int s = 0; s < count; s++)
        {
            var seg = segments[s];
            seg.Cache.Write(layer, seg.CachedTokens, k.narrow(0, s, 1), v.narrow(0, s, 1));
            var (cachedKeys, cachedValues) = seg.Cache.Buffers(layer);
            keys[s] = TensorAddress.Of(cachedKeys);
            values[s] = TensorAddress.Of(cachedValues);
            headStrides[s] = cachedKeys.shape[1] * headDim;
            lengths[s] = seg.TotalTokens;
        }

        using var query = q.contiguous();
        var output = empty(new long[] { count, heads * headDim }, ScalarType.BFloat16, q.device);
        var call = new Call(TensorAddress.Of(query), keys, values, headStrides, lengths, heads, kvHeads, headDim, 1f / MathF.Sqrt(headDim), TensorAddress.Of(output));
        SpinningPartWorkers.Shared.RunSplit(count * kvHeads, (first, end) => Run(call, (int)first, (int)end));
        return output;
    }

    /// <summary>What every thread passes to the kernel.</summary>
    private sealed record Call(nint Query, nint[] Keys, nint[] Values, long[] HeadStrides, long[] Lengths, int Heads, int KvHeads, int HeadDim, float Scale, nint Output);

    private static void Run(Call call, int from, int to)
    {
        fixed (nint* keys = call.Keys)
        fixed (nint* values = call.Values)
        fixed (long* strides = call.HeadStrides)
        fixed (long* lengths = call.Lengths)
        {
            NativeKernelLibrary.DecodeAttention((ushort*)call.Query, (ushort**)keys, (ushort**)values, strides, lengths,
                call.Heads, call.KvHeads, call.HeadDim, call.Scale, (ushort*)call.Output, from, to);
        }
    }
}
