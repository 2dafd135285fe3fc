using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>
/// Grouped-query self-attention of one decoder layer. Projections and M-RoPE run on the whole flat batch; attention runs
/// per sequence against that sequence's KV cache. Query heads sharing a kv head are folded into the query length, so the
/// cache is never copied per head. The q, k and v weights are stacked (one product for all three). A pure decode step
/// in bf16 on the CPU attends through the native kernel (<see cref="NativeDecodeAttention"/>), in one call for all
/// sequences and independently per sequence; elsewhere, optionally, over the padded gathered caches (<see cref="DecodeBatch"/>).
/// </summary>
public sealed class DecoderAttention : nn.Module
{
    private readonly StackedProjections _qkv;
    private readonly LinearProjection _o;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _layer;

    /// <summary>Creates an uninitialised attention for decoder layer <paramref name="layer"/>.</summary>
    public DecoderAttention(Config.Qwen2VLConfig config, int layer, ModelPlacement placement)
        : base(nameof(DecoderAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _layer = layer;
        _qkv = new StackedProjections(config.HiddenSize, [_heads * _headDim, _kvHeads * _headDim, _kvHeads * _headDim], hasBias: true, placement);
        _o = new LinearProjection(_heads * _headDim, config.HiddenSize, hasBias: false, placement);
        register_module("q_proj", _qkv.Parts[0]);
        register_module("k_proj", _qkv.Parts[1]);
        register_module("v_proj", _qkv.Parts[2]);
        register_module("o_proj", _o);
    }

    /// <summary>
    /// Whether pure decode steps of several sequences attend in one call over padded caches, or one call per sequence
    /// (default). Off by default because the padded call makes a sequence's bf16 results depend on its batch
    /// neighbours' cache lengths: greedy answers through a two-stage pipeline (which batches differently) then drifted
    /// from the single-stage answers, while the speed gain was 1.06–1.33× under load only. A process-wide switch so
    /// benchmarks can compare both side by side in one run.
    /// </summary>
    public static bool BatchDecodeSteps { get; set; }

    /// <summary>
    /// Attends the flat batch [T, H] with cos/sin [T, 1, head_dim]; writes each segment's keys to its cache. The first
    /// <paramref name="decodeRows"/> segments are one new token each, at rows 0, 1, …
    /// </summary>
    internal Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, IReadOnlyList<SegmentPlan> segments, DecodeBatch? decodeBatch, int decodeRows)
    {
        using var scope = NewDisposeScope();
        long tokens = hidden.shape[0];
        var qkv = _qkv.Forward(hidden, decodeRows);
        var q = Rotary.Apply(qkv[0].view(tokens, _heads, _headDim), cos, sin);
        var k = Rotary.Apply(qkv[1].view(tokens, _kvHeads, _headDim), cos, sin);
        var v = qkv[2].view(tokens, _kvHeads, _headDim);
        var merged = Attend(q, k, v, segments, decodeBatch, decodeRows);
        return _o.Forward(merged, decodeRows).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _qkv.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Decode tokens through the native kernel where it applies, so they attend the same way whether or not prompt
    /// chunks share the step; prompt chunks (and everything where the kernel does not apply) per sequence through SDPA.
    /// </summary>
    private Tensor Attend(Tensor q, Tensor k, Tensor v, IReadOnlyList<SegmentPlan> segments, DecodeBatch? decodeBatch, int decodeRows)
    {
        if (decodeRows == 0 || !NativeDecodeAttention.Supports(q, _heads, _kvHeads, _headDim))
        {
            return decodeBatch is null ? AttendPerSequence(q, k, v, segments) : AttendDecodeBatch(q, k, v, segments, decodeBatch);
        }

        var decoded = NativeDecodeAttention.Attend(q.narrow(0, 0, decodeRows), k.narrow(0, 0, decodeRows), v.narrow(0, 0, decodeRows),
            segments.Take(decodeRows).ToList(), _layer, _heads, _kvHeads, _headDim);
        return decodeRows == segments.Count ? decoded : cat([decoded, AttendPerSequence(q, k, v, segments.Skip(decodeRows).ToList())], 0);
    }

    private Tensor AttendPerSequence(Tensor q, Tensor k, Tensor v, IReadOnlyList<SegmentPlan> segments)
    {
        int groups = _heads / _kvHeads;
        var outputs = new Tensor[segments.Count];
        for (int s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            int n = seg.NewTokens;
            seg.Cache.Write(_layer, seg.CachedTokens, k.narrow(0, seg.Offset, n), v.narrow(0, seg.Offset, n));
            var (keys, values) = seg.Cache.Read(_layer, seg.TotalTokens);

            if (PromptAttention.Applies(q, n, seg.TotalTokens))
            {
                outputs[s] = PromptAttention.Attend(q.narrow(0, seg.Offset, n), keys, values, seg.CachedTokens);
                continue;
            }

            // [n, heads, hd] -> [kv, groups * n, hd]: query head h uses kv head h / groups.
            var query = q.narrow(0, seg.Offset, n)
                .view(n, _kvHeads, groups, _headDim)
                .permute(1, 2, 0, 3)
                .reshape(_kvHeads, groups * n, _headDim);
            var attended = nn.functional.scaled_dot_product_attention(query, keys, values, seg.Mask, 0.0, false);
            outputs[s] = attended.view(_kvHeads, groups, n, _headDim).permute(2, 0, 1, 3).reshape(n, _heads * _headDim);
        }

        return outputs.Length == 1 ? outputs[0] : cat(outputs, 0);
    }

    /// <summary>One new token per sequence: gather the caches into one padded batch and attend in one call.</summary>
    private Tensor AttendDecodeBatch(Tensor q, Tensor k, Tensor v, IReadOnlyList<SegmentPlan> segments, DecodeBatch batch)
    {
        int count = segments.Count;
        var keys = batch.Keys;
        var values = batch.Values;
        for (int s = 0; s < count; s++)
        {
            var seg = segments[s];
            seg.Cache.Write(_layer, seg.CachedTokens, k.narrow(0, s, 1), v.narrow(0, s, 1));
            var (cachedKeys, cachedValues) = seg.Cache.Read(_layer, seg.TotalTokens);
            keys[s].narrow(1, 0, seg.TotalTokens).copy_(cachedKeys);
            values[s].narrow(1, 0, seg.TotalTokens).copy_(cachedValues);
        }

        // [B, heads, hd] -> [B, kv, groups, hd]: query head h uses kv head h / groups, no copy needed.
        var query = q.view(count, _kvHeads, _heads / _kvHeads, _headDim);
        var attended = nn.functional.scaled_dot_product_attention(query, keys, values, batch.Mask, 0.0, false);
        return attended.reshape(count, _heads * _headDim);
    }
}
