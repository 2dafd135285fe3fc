using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// Full (non-causal) attention on the CPU as a sequence of large matrix products: for each head and each block of
/// <see cref="QueryBlock"/> queries, scores = q·kᵀ/√d against every key, the softmax numerator in place
/// (<see cref="ShiftedExpRows"/>), then (numerator·v) / row sums. LibTorch's CPU flash attention tiles the keys
/// into small products with an online softmax and reaches a sixth of the GEMM rate for head_dim 80; a whole row of
/// scores per query (256 × 10,764 bf16 is 5.5 MB, cache-resident) lets both products run at the GEMM rate instead.
/// The (head, query block) pieces run on <see cref="SingleThreadedTorchWorkers"/>.
/// </summary>
/// <remarks>
/// In bf16 the scores are rounded to bf16 before the softmax, as transformers' eager bf16 attention does (LibTorch's
/// flash kernel keeps them in float32), and the output is rounded before and after the division by the row sum;
/// measured against float32 attention on the same inputs, the relative error is about twice SDPA's, within one bf16
/// rounding. In float32 the result matches float32 attention to float32 rounding.
/// </remarks>
public static class BlockedAttention
{
    /// <summary>Queries per piece: enough rows for the products to reach the GEMM rate, few enough to stay in cache.</summary>
    public const long QueryBlock = 256;

    /// <summary>
    /// Shortest key sequence for which <see cref="IsFasterThanSdpa"/> holds: measured side by side in bf16, this path
    /// took 0.26× SDPA's speed at 64 keys (fixed costs per call and per piece), 0.7× at 144, 1.2× at 256, 1.5× at 512
    /// and about 2× from 1,024.
    /// </summary>
    public const long MinKeys = 256;

    /// <summary>
    /// Whether this path was measured faster than <c>scaled_dot_product_attention</c> for these inputs: bf16 with at
    /// least <see cref="MinKeys"/> keys. In float32 it was slower (0.74–0.94×: float32 products run at half the bf16
    /// rate and the scores no longer fit the caches as well), so float32 only takes it on request.
    /// </summary>
    public static bool IsFasterThanSdpa(Tensor query, Tensor key)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        return Applies(query) && query.dtype == ScalarType.BFloat16 && key.dim() == 4 && key.shape[2] >= MinKeys;
    }

    /// <summary>Whether <paramref name="query"/> can take this path: bf16 or float32 on a CPU with AVX-512, no autograd.</summary>
    public static bool Applies(Tensor query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ShiftedExpRows.IsAccelerated
            && query.device_type == DeviceType.CPU
            && query.dtype is ScalarType.BFloat16 or ScalarType.Float32
            && query.dim() == 4
            && !query.requires_grad;
    }

    /// <summary>
    /// softmax(q·kᵀ/√d)·v for <paramref name="query"/> [B, heads, Nq, d] against <paramref name="key"/> and
    /// <paramref name="value"/> [B, heads, Nk, d], like <c>scaled_dot_product_attention</c> without a mask; returns
    /// [B, heads, Nq, d].
    /// </summary>
    public static Tensor Attend(Tensor query, Tensor key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        bool matches = key.dim() == 4 && key.shape.SequenceEqual(value.shape)
            && key.shape[0] == query.shape[0] && key.shape[1] == query.shape[1] && key.shape[3] == query.shape[3];
        if (!matches)
        {
            throw new ArgumentException($"attention shapes do not match: query [{string.Join(", ", query.shape)}], key [{string.Join(", ", key.shape)}], value [{string.Join(", ", value.shape)}]");
        }

        using var scope = NewDisposeScope();
        long queries = query.shape[2], keys = key.shape[2], headDim = query.shape[3];
        var q = query.contiguous().view(-1, queries, headDim);
        var k = key.contiguous().view(-1, keys, headDim);
        var v = value.contiguous().view(-1, keys, headDim);
        var output = empty(query.shape, query.dtype, query.device);
        var outputHeads = output.view(-1, queries, headDim);
        long blocksPerHead = (queries + QueryBlock - 1) / QueryBlock;
        long pieces = q.shape[0] * blocksPerHead;
        float scale = (float)(1.0 / Math.Sqrt(headDim));
        long next = -1;

        SingleThreadedTorchWorkers.Shared.RunOnAll(_ =>
        {
            // Grad mode and dispose scopes are per thread; the caller's inference mode does not reach this one.
            using var inference = inference_mode();
            using var workerScope = NewDisposeScope();
            var scores = empty(Math.Min(QueryBlock, queries) * keys, query.dtype);
            var sums = empty(QueryBlock, ScalarType.Float32);
            long piece;
            while ((piece = Interlocked.Increment(ref next)) < pieces)
            {
                using var pieceScope = NewDisposeScope();
                long head = piece / blocksPerHead;
                long first = piece % blocksPerHead * QueryBlock;
                long rows = Math.Min(QueryBlock, queries - first);
                AttendBlock(q[head].narrow(0, first, rows), k[head], v[head], scale, scores, sums, outputHeads[head].narrow(0, first, rows));
            }
        });

        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One piece, on the calling thread: <paramref name="output"/> [rows, d] = softmax(q·kᵀ·scale)·v for
    /// <paramref name="query"/> [rows, d] against <paramref name="keys"/> and <paramref name="values"/> [n, d].
    /// <paramref name="scores"/> (at least rows · n elements of the query's dtype) and <paramref name="sums"/> (at least
    /// rows float32) are the caller's reusable buffers. With <paramref name="hiddenAbove"/> [rows, rows] (true above the
    /// diagonal), the last <c>rows</c> keys are the queries' own positions and each query sees none after its own.
    /// </summary>
    internal static void AttendBlock(Tensor query, Tensor keys, Tensor values, float scale, Tensor scores, Tensor sums, Tensor output, Tensor? hiddenAbove = null)
    {
        long rows = query.shape[0], visible = keys.shape[0];
        var rowScores = scores.narrow(0, 0, rows * visible).view(rows, visible);
        rowScores.addmm_(query, keys.t(), beta: 0, alpha: scale);
        if (hiddenAbove is not null)
        {
            rowScores.narrow(1, visible - rows, rows).masked_fill_(hiddenAbove, float.NegativeInfinity);
        }

        ShiftedExpRows.Apply(rowScores, rows, sums);
        output.addmm_(rowScores, values, beta: 0, alpha: 1);
        output.div_(sums.narrow(0, 0, rows).unsqueeze(1));
    }
}
