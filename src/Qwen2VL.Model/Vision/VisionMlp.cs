using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>ViT MLP: <c>fc1</c>, QuickGELU x·σ(1.702x), <c>fc2</c>.</summary>
public sealed class VisionMlp : nn.Module
{
    private readonly LinearProjection _fc1;
    private readonly LinearProjection _fc2;

    // Held for the module's lifetime: a temporary Scalar can be finalized by the GC while LibTorch still reads it.
    private readonly Scalar _quickGeluScale = 1.702.ToScalar();

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
        var activated = x * sigmoid(x.mul(_quickGeluScale));
        return _fc2.Forward(activated).MoveToOuterDisposeScope();
    }
}
