using static TorchSharp.torch;

namespace Qwen2VL.Model.Stages;

/// <summary>The result of one stage forward. Owns its tensors: dispose it when done.</summary>
public sealed class StageOutput : IDisposable
{
    internal StageOutput(Tensor? hidden, Tensor? logits, IReadOnlyList<Tensor> hiddenStates)
    {
        Hidden = hidden;
        Logits = logits;
        HiddenStates = hiddenStates;
    }

    /// <summary>Hidden states [T, H] in the model dtype, to feed the next stage; null on the last stage.</summary>
    public Tensor? Hidden { get; }

    /// <summary>Float32 logits [rows, vocab] for the requested rows; null on other stages.</summary>
    public Tensor? Logits { get; }

    /// <summary>
    /// When captured: the stage input (after the image merge on the first stage), then the output of each layer;
    /// on the last stage the final entry is the final RMSNorm of the last layer's output (the reference's layout).
    /// </summary>
    public IReadOnlyList<Tensor> HiddenStates { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Hidden?.Dispose();
        Logits?.Dispose();
        foreach (var t in HiddenStates)
        {
            t.Dispose();
        }
    }
}
