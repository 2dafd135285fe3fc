using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// OpenAI's presence and frequency penalties over the tokens generated so far (not the prompt):
/// <c>logit − count·frequency − (count &gt; 0)·presence</c>. Negative values encourage repetition.
/// </summary>
public static class OutputPenalties
{
    /// <summary>Returns penalised logits (the input is not modified).</summary>
    /// <param name="logits">[B, V] float32.</param>
    /// <param name="counts">[B, V] float32: how often each token occurs in each row's output.</param>
    /// <param name="presence">[B, 1] float32 presence penalties.</param>
    /// <param name="frequency">[B, 1] float32 frequency penalties.</param>
    public static Tensor Apply(Tensor logits, Tensor counts, Tensor presence, Tensor frequency)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(counts);
        using var scope = NewDisposeScope();
        var zero = Scalars.Zero();
        var present = counts.gt(zero).to(logits.dtype);
        GC.KeepAlive(zero);
        return (logits - (counts * frequency) - (present * presence)).MoveToOuterDisposeScope();
    }
}
