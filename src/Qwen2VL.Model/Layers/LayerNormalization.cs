using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>LayerNorm with <c>weight</c> and <c>bias</c> as in checkpoints (the vision tower uses eps 1e-6).</summary>
public sealed class LayerNormalization : nn.Module
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly long[] _shape;
    private readonly double _eps;

    /// <summary>Creates an uninitialised norm over <paramref name="dim"/> features.</summary>
    public LayerNormalization(int dim, double eps, ModelPlacement placement)
        : base(nameof(LayerNormalization))
    {
        ArgumentNullException.ThrowIfNull(placement);
        _shape = new long[] { dim };
        _eps = eps;
        _weight = placement.NewParameter(dim);
        _bias = placement.NewParameter(dim);
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
    }

    /// <summary>Normalises the last dimension of <paramref name="input"/>.</summary>
    public Tensor Forward(Tensor input) => nn.functional.layer_norm(input, _shape, _weight, _bias, _eps);
}
