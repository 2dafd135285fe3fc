using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>
/// Grouped-query self-attention of one decoder layer. Projections and M-RoPE run on the whole flat batch; attention runs
/// per sequence against that sequence's KV cache. Query heads sharing a kv head are folded into the query length, so the
/// cache is never copied per head.
/// </summary>
public sealed class DecoderAttention : nn.Module
{
    private readonly LinearProjection _q;
    private readonly LinearProjection _k;
    private readonly LinearProjection _v;
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
        _q = new LinearProjection(config.HiddenSize, _heads * _headDim, hasBias: true, placement);
        _k = new LinearProjection(config.HiddenSize, _kvHeads * _headDim, hasBias: true, placement);
        _v = new LinearProjection(config.HiddenSize, _kvHeads * _headDim, hasBias: true, placement);
        _o = new LinearProjection(_heads * _headDim, config.HiddenSize, hasBias: false, placement);
        register_module("q_proj", _q);
        register_module("k_proj", _k);
        register_module("v_proj", _v);
        register_module("o_proj", _o);
    }

    /// <summary>Attends the flat batch [T, H] with cos/sin [T, 1, head_dim]; writes each segment's keys to its cache.</summary>
    internal Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, IReadOnlyList<SegmentPlan> segments)
    {
        using var scope = NewDisposeScope();
        long tokens = hidden.shape[0];
        int groups = _heads / _kvHeads;
        var q = Rotary.Apply(_q.Forward(hidden).view(tokens, _heads, _headDim), cos, sin);
        var k = Rotary.Apply(_k.Forward(hidden).view(tokens, _kvHeads, _headDim), cos, sin);
        var v = _v.Forward(hidden).view(tokens, _kvHeads, _headDim);

        var outputs = new Tensor[segments.Count];
        for (int s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            int n = seg.NewTokens;
            seg.Cache.Write(_layer, seg.CachedTokens, k.narrow(0, seg.Offset, n), v.narrow(0, seg.Offset, n));
            var (keys, values) = seg.Cache.Read(_layer, seg.TotalTokens);

            // [n, heads, hd] -> [kv, groups * n, hd]: query head h uses kv head h / groups.
            var query = q.narrow(0, seg.Offset, n)
                .view(n, _kvHeads, groups, _headDim)
                .permute(1, 2, 0, 3)
                .reshape(_kvHeads, groups * n, _headDim);
            var attended = nn.functional.scaled_dot_product_attention(query, keys, values, seg.Mask, 0.0, false);
            outputs[s] = attended.view(_kvHeads, groups, n, _headDim).permute(2, 0, 1, 3).reshape(n, _heads * _headDim);
        }

        var merged = outputs.Length == 1 ? outputs[0] : cat(outputs, 0);
        return _o.Forward(merged).MoveToOuterDisposeScope();
    }
}
