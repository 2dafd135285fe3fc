using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>y = x Wᵀ + b, with parameters named <c>weight</c> [out, in] and optionally <c>bias</c> [out] as in checkpoints.</summary>
public sealed class LinearProjection : nn.Module
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;

    /// <summary>Creates an uninitialised projection from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    public LinearProjection(int inFeatures, int outFeatures, bool hasBias, ModelPlacement placement)
        : base(nameof(LinearProjection))
    {
        ArgumentNullException.ThrowIfNull(placement);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        _weight = placement.NewParameter(outFeatures, inFeatures);
        register_parameter("weight", _weight);
        if (hasBias)
        {
            _bias = placement.NewParameter(outFeatures);
            register_parameter("bias", _bias);
        }
    }

    /// <summary>
    /// A projection whose parameters are the given tensors themselves (views into a larger buffer, see
    /// <see cref="StackedProjections"/>), so writing the parameters writes the buffer.
    /// </summary>
    internal LinearProjection(Tensor weight, Tensor? bias)
        : base(nameof(LinearProjection))
    {
        InFeatures = (int)weight.shape[1];
        OutFeatures = (int)weight.shape[0];
        _weight = new Parameter(weight, requires_grad: false);
        register_parameter("weight", _weight);
        if (bias is not null)
        {
            _bias = new Parameter(bias, requires_grad: false);
            register_parameter("bias", _bias);
        }
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Tensor Weight => _weight;

    /// <summary>Applies the projection to the last dimension of <paramref name="input"/>.</summary>
    public Tensor Forward(Tensor input) => Apply(input, _weight, _bias);

    /// <summary>
    /// Whether few-row bf16 products use the streaming kernel (default) or always LibTorch's linear. A process-wide
    /// switch so benchmarks can compare both paths side by side in one run.
    /// </summary>
    public static bool UseDecodeKernel { get; set; } = true;

    /// <summary>
    /// x Wᵀ + b for any weight [out, in]: one bf16 row on the CPU (batch-1 decode) takes the streaming kernel, everything
    /// else (float32, batches, prefill) LibTorch's linear.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return UseDecodeKernel && Bf16MatVec.Applies(input, weight) ? Bf16MatVec.Apply(input, weight, bias) : nn.functional.linear(input, weight, bias);
    }
}
