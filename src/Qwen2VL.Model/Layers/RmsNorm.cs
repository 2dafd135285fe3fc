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
    private readonly double _eps;

    /// <summary>Creates an uninitialised norm over <paramref name="dim"/> features.</summary>
    public RmsNorm(int dim, double eps, ModelPlacement placement)
        : base(nameof(RmsNorm))
    {
        ArgumentNullException.ThrowIfNull(placement);
        _eps = eps;
        _weight = placement.NewParameter(dim);
        register_parameter("weight", _weight);
    }

    /// <summary>Normalises the last dimension of <paramref name="input"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to(ScalarType.Float32);
        var variance = x.square().mean(new long[] { -1 }, keepdim: true);
        var eps = _eps.ToScalar();
        var normed = (x * variance.add(eps).rsqrt()).to(input.dtype);
        GC.KeepAlive(eps); // see Scalars: the native scalar must outlive the call that reads it
        return (_weight * normed).MoveToOuterDisposeScope();
    }
}
