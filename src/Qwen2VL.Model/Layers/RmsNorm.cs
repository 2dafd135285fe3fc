using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// Qwen2 RMSNorm: normalise in float32, cast back to the input dtype, then scale by <c>weight</c>. LibTorch has no
/// fused rms_norm in this binding, and the float32 step matters for bfloat16 inputs.
/// </summary>
public sealed class RmsNorm : nn.Module
{
    private readonly Parameter _weight;
    // Held for the module's lifetime: a temporary Scalar (from an implicit double conversion) can be finalized by
    // the GC while LibTorch still reads it, which showed up as rare "toFloat" failures under load.
    private readonly Scalar _eps;

    /// <summary>Creates an uninitialised norm over <paramref name="dim"/> features.</summary>
    public RmsNorm(int dim, double eps, ModelPlacement placement)
        : base(nameof(RmsNorm))
    {
        ArgumentNullException.ThrowIfNull(placement);
        _eps = eps.ToScalar();
        _weight = placement.NewParameter(dim);
        register_parameter("weight", _weight);
    }

    /// <summary>Normalises the last dimension of <paramref name="input"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to(ScalarType.Float32);
        var variance = x.square().mean(new long[] { -1 }, keepdim: true);
        var normed = (x * variance.add(_eps).rsqrt()).to(input.dtype);
        return (_weight * normed).MoveToOuterDisposeScope();
    }
}
