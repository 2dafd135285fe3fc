using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>SiLU-gated MLP: down(silu(gate(x)) · up(x)), no biases. The gate and up weights are stacked: one product for both.</summary>
public sealed class DecoderMlp : nn.Module
{
    private readonly StackedProjections _gateUp;
    private readonly LinearProjection _down;

    /// <summary>Creates an uninitialised MLP.</summary>
    public DecoderMlp(int hiddenSize, int intermediateSize, ModelPlacement placement)
        : base(nameof(DecoderMlp))
    {
        _gateUp = new StackedProjections(hiddenSize, [intermediateSize, intermediateSize], hasBias: false, placement);
        _down = new LinearProjection(intermediateSize, hiddenSize, hasBias: false, placement);
        register_module("gate_proj", _gateUp.Parts[0]);
        register_module("up_proj", _gateUp.Parts[1]);
        register_module("down_proj", _down);
    }

    /// <summary>Applies the MLP to a step's flat batch [T, H] whose first <paramref name="decodeRows"/> rows are decode tokens.</summary>
    public Tensor Forward(Tensor hidden, int decodeRows)
    {
        using var scope = NewDisposeScope();
        var gateUp = _gateUp.Forward(hidden, decodeRows);
        var gated = nn.functional.silu(gateUp[0]) * gateUp[1];
        return _down.Forward(gated, decodeRows).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gateUp.Dispose();
        }

        base.Dispose(disposing);
    }
}
