using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>SiLU-gated MLP: down(silu(gate(x)) · up(x)), no biases.</summary>
public sealed class DecoderMlp : nn.Module
{
    private readonly LinearProjection _gate;
    private readonly LinearProjection _up;
    private readonly LinearProjection _down;

    /// <summary>Creates an uninitialised MLP.</summary>
    public DecoderMlp(int hiddenSize, int intermediateSize, ModelPlacement placement)
        : base(nameof(DecoderMlp))
    {
        _gate = new LinearProjection(hiddenSize, intermediateSize, hasBias: false, placement);
        _up = new LinearProjection(hiddenSize, intermediateSize, hasBias: false, placement);
        _down = new LinearProjection(intermediateSize, hiddenSize, hasBias: false, placement);
        register_module("gate_proj", _gate);
        register_module("up_proj", _up);
        register_module("down_proj", _down);
    }

    /// <summary>Applies the MLP to [T, H].</summary>
    public Tensor Forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(_gate.Forward(hidden)) * _up.Forward(hidden);
        return _down.Forward(gated).MoveToOuterDisposeScope();
    }
}
