using Qwen2VL.Model.Config;
using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>One Qwen2 decoder layer: x + attn(input_layernorm(x)), then + mlp(post_attention_layernorm(x)).</summary>
public sealed class DecoderLayer : nn.Module
{
    private readonly RmsNorm _inputNorm;
    private readonly RmsNorm _postAttentionNorm;
    private readonly DecoderAttention _attention;
    private readonly DecoderMlp _mlp;

    /// <summary>Creates uninitialised decoder layer <paramref name="layer"/>.</summary>
    public DecoderLayer(Qwen2VLConfig config, int layer, ModelPlacement placement)
        : base(nameof(DecoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        Index = layer;
        _inputNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        _postAttentionNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        _attention = new DecoderAttention(config, layer, placement);
        _mlp = new DecoderMlp(config.HiddenSize, config.IntermediateSize, placement);
        register_module("input_layernorm", _inputNorm);
        register_module("post_attention_layernorm", _postAttentionNorm);
        register_module("self_attn", _attention);
        register_module("mlp", _mlp);
    }

    /// <summary>The layer's index in the whole model.</summary>
    public int Index { get; }

    /// <summary>Runs the layer on a step's flat batch; its first <paramref name="decodeRows"/> segments are one new token each, at rows 0, 1, …</summary>
    internal Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, IReadOnlyList<SegmentPlan> segments, DecodeBatch? decodeBatch, int decodeRows)
    {
        using var scope = NewDisposeScope();
        var x = hidden + _attention.Forward(_inputNorm.Forward(hidden), cos, sin, segments, decodeBatch, decodeRows);
        x = x + _mlp.Forward(_postAttentionNorm.Forward(x), decodeRows);
        return x.MoveToOuterDisposeScope();
    }
}
