using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>Pre-norm ViT block: x + attn(norm1(x)), then + mlp(norm2(x)).</summary>
public sealed class VisionBlock : nn.Module
{
    private const double LayerNormEps = 1e-6;
    private readonly LayerNormalization _norm1;
    private readonly LayerNormalization _norm2;
    private readonly VisionAttention _attn;
    private readonly VisionMlp _mlp;

    /// <summary>Creates an uninitialised block.</summary>
    public VisionBlock(Config.VisionConfig config, ModelPlacement placement)
        : base(nameof(VisionBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        _norm1 = new LayerNormalization(config.EmbedDim, LayerNormEps, placement);
        _norm2 = new LayerNormalization(config.EmbedDim, LayerNormEps, placement);
        _attn = new VisionAttention(config.EmbedDim, config.NumHeads, placement);
        _mlp = new VisionMlp(config.EmbedDim, config.MlpHiddenDim, placement);
        register_module("norm1", _norm1);
        register_module("norm2", _norm2);
        register_module("attn", _attn);
        register_module("mlp", _mlp);
    }

    /// <summary>Runs the block on [N, E].</summary>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, IReadOnlyList<AttentionBlockRun> blocks)
    {
        using var scope = NewDisposeScope();
        var x = hidden + _attn.Forward(_norm1.Forward(hidden), cos, sin, blocks);
        x = x + _mlp.Forward(_norm2.Forward(x));
        return x.MoveToOuterDisposeScope();
    }
}
