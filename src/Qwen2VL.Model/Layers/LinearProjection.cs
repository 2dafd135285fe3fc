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

    /// <summary>Applies the projection to a decoder step's flat batch [T, in] whose first <paramref name="decodeRows"/> rows are decode tokens (<see cref="ApplyToStep"/>).</summary>
    public Tensor Forward(Tensor input, int decodeRows) => ApplyToStep(input, _weight, _bias, decodeRows);

    /// <summary>
    /// Whether few-row bf16 products use the streaming kernel (default) or always LibTorch's linear. A process-wide
    /// switch so benchmarks can compare both paths side by side in one run.
    /// </summary>
    public static bool UseDecodeKernel { get; set; } = true;

    /// <summary>
    /// Whether the AVX512-BF16 kernel (<see cref="Bf16NativeLinear"/>) may serve few-row products (default); when false,
    /// one row goes to the managed kernel and more rows to LibTorch, as on CPUs without it. For side-by-side benchmarks.
    /// </summary>
    public static bool UseNativeKernel { get; set; } = true;

    /// <summary>Whether the AVX512-BF16 kernel was built and this CPU runs it.</summary>
    public static bool NativeKernelAvailable => Bf16NativeLinear.Available;

    /// <summary>
    /// x Wᵀ + b for any weight [out, in]: a few bf16 rows on the CPU (decode steps) take the AVX512-BF16 kernel where it
    /// was built and the CPU has it, else one row takes the managed streaming kernel; everything else (float32,
    /// prefill, GPUs) LibTorch's linear.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (UseDecodeKernel && UseNativeKernel && Bf16NativeLinear.Applies(input, weight))
        {
            return Bf16NativeLinear.Apply(input, weight, bias);
        }

        return UseDecodeKernel && Bf16MatVec.Applies(input, weight) ? Bf16MatVec.Apply(input, weight, bias) : nn.functional.linear(input, weight, bias);
    }

    /// <summary>
    /// x Wᵀ + b for a decoder step's flat batch [T, in]: the first <paramref name="decodeRows"/> rows (one token per
    /// sequence) go through the AVX512-BF16 kernel, at most <see cref="Bf16NativeLinear.MaxInputRows"/> at a time, the
    /// others (prompt chunks) through LibTorch. Each row's result then depends only on its own kind, never on what else
    /// shares the step, so a sequence's greedy answer is the same whatever the batching (and through a pipeline, which
    /// batches differently). Where the kernel does not apply, as <see cref="Apply"/>.
    /// </summary>
    public static Tensor ApplyToStep(Tensor input, Tensor weight, Tensor? bias, int decodeRows)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        long rows = input.shape[0];
        ArgumentOutOfRangeException.ThrowIfNegative(decodeRows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decodeRows, rows);
        if (!UseDecodeKernel || !UseNativeKernel || input.dim() != 2 || !Bf16NativeLinear.Supports(input, weight))
        {
            return Apply(input, weight, bias);
        }

        if (decodeRows == rows)
        {
            return Bf16NativeLinear.ApplyInChunks(input, weight, bias);
        }

        if (decodeRows == 0)
        {
            return nn.functional.linear(input, weight, bias);
        }

        using var decode = Bf16NativeLinear.ApplyInChunks(input.narrow(0, 0, decodeRows), weight, bias);
        using var prompts = nn.functional.linear(input.narrow(0, decodeRows, rows - decodeRows), weight, bias);
        return cat([decode, prompts], 0);
    }
}
