using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>
/// Causal attention of a prompt chunk against its cache on the CPU in bf16, as large matrix products (the method of
/// <see cref="Vision.BlockedAttention"/>, made causal): per query head and block of <see cref="QueryBlock"/> queries,
/// scores against the keys the block can see only, the upper triangle of the diagonal block masked, the softmax
/// numerator in place (<see cref="ShiftedExpRows"/>), then (numerator·v) / row sums. LibTorch's CPU attention with a
/// causal mask computed a 1,024-token prompt of the 2B model at about a sixth of the GEMM rate and took 28% of the
/// prefill; this skips the masked half and runs both products at the GEMM rate.
/// </summary>
/// <remarks>
/// As in transformers' eager bf16 attention, the scores are rounded to bf16 before the softmax.
/// </remarks>
public static class PromptAttention
{
    /// <summary>Queries per piece: enough rows for the products to reach the GEMM rate, few enough to stay in cache.</summary>
    public const int QueryBlock = 256;

    /// <summary>
    /// Whether this path serves prompt chunks (default, where it applies) or LibTorch's SDPA with a causal mask does.
    /// A process-wide switch so benchmarks can compare both side by side in one run.
    /// </summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether a chunk of <paramref name="newTokens"/> queries seeing <paramref name="keys"/> keys takes this path: bf16
    /// on an AVX-512 CPU, and at least <see cref="Vision.BlockedAttention.MinKeys"/> keys (below that, fixed costs per
    /// piece made the blocked vision path slower than SDPA).
    /// </summary>
    internal static bool Applies(Tensor query, int newTokens, int keys) =>
        Enabled && newTokens > 1 && keys >= Vision.BlockedAttention.MinKeys && ShiftedExpRows.IsAccelerated
        && query.dtype == ScalarType.BFloat16 && query.device_type == DeviceType.CPU;

    /// <summary>
    /// softmax(q·kᵀ/√d + causal mask)·v for queries <paramref name="query"/> [n, heads, d] at positions
    /// [<paramref name="cached"/>, cached + n) against <paramref name="keys"/> and <paramref name="values"/>
    /// [kv_heads, cached + n, d]; query head h uses kv head h / (heads / kv_heads). Returns [n, heads · d].
    /// </summary>
    internal static Tensor Attend(Tensor query, Tensor keys, Tensor values, int cached)
    {
        using var scope = NewDisposeScope();
        long n = query.shape[0], heads = query.shape[1], headDim = query.shape[2];
        long total = keys.shape[1];
        long groups = heads / keys.shape[0];
        if (total != cached + n || values.shape[1] != total || keys.shape[2] != headDim || heads % keys.shape[0] != 0)
        {
            throw new ArgumentException($"prompt attention shapes do not match: query [{string.Join(", ", query.shape)}], keys [{string.Join(", ", keys.shape)}], {cached} cached");
        }

        var q = query.transpose(0, 1).contiguous(); // [heads, n, d]
        // Each kv head of a cache view is contiguous [keys, d] even when the view stops short of the cache's capacity.
        var k = keys;
        var v = values;
        var output = empty(new long[] { heads, n, headDim }, query.dtype);
        long blocks = (n + QueryBlock - 1) / QueryBlock;
        long pieces = heads * blocks;
        float scale = (float)(1.0 / Math.Sqrt(headDim));
        using var above = ones(QueryBlock, QueryBlock, ScalarType.Bool).triu(1);
        long next = -1;

        SingleThreadedTorchWorkers.Shared.RunOnAll(_ =>
        {
            // Grad mode and dispose scopes are per thread; the caller's inference mode does not reach this one.
            using var inference = inference_mode();
            using var workerScope = NewDisposeScope();
            var scores = empty(Math.Min(QueryBlock, n) * total, query.dtype);
            var sums = empty(QueryBlock, ScalarType.Float32);
            long piece;
            while ((piece = Interlocked.Increment(ref next)) < pieces)
            {
                using var pieceScope = NewDisposeScope();
                // The last blocks see the most keys: hand them out first, so the pieces left at the end are short.
                long block = blocks - 1 - (piece / heads);
                long head = piece % heads;
                long first = block * QueryBlock;
                long rows = Math.Min(QueryBlock, n - first);
                long visible = cached + first + rows;
                Vision.BlockedAttention.AttendBlock(q[head].narrow(0, first, rows), k[head / groups].narrow(0, 0, visible), v[head / groups].narrow(0, 0, visible),
                    scale, scores, sums, output[head].narrow(0, first, rows), above.narrow(0, 0, rows).narrow(1, 0, rows));
            }
        });

        return output.transpose(0, 1).reshape(n, heads * headDim).MoveToOuterDisposeScope();
    }
}
