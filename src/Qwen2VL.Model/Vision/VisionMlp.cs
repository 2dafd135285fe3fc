using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>ViT MLP: <c>fc1</c>, QuickGELU x·σ(1.702x), <c>fc2</c>.</summary>
public sealed class VisionMlp : nn.Module
{
    private readonly LinearProjection _fc1;
    private readonly LinearProjection _fc2;

    private const double QuickGeluScale = 1.702;

    /// <summary>Creates an uninitialised MLP E → hidden → E.</summary>
    public VisionMlp(int embedDim, int hiddenDim, ModelPlacement placement)
        : base(nameof(VisionMlp))
    {
        _fc1 = new LinearProjection(embedDim, hiddenDim, hasBias: true, placement);
        _fc2 = new LinearProjection(hiddenDim, embedDim, hasBias: true, placement);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    /// <summary>Applies the MLP to [N, E].</summary>
    public Tensor Forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var x = _fc1.Forward(hidden);
        var scale = QuickGeluScale.ToScalar();
        var activated = x * sigmoid(x.mul(scale));
        GC.KeepAlive(scale); // see Scalars
        return _fc2.Forward(activated).MoveToOuterDisposeScope();
    }
}
