using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Hugging Face's repetition penalty (Keskar et al., 2019): every token already seen in prompt or output has its
/// logit divided by the penalty when positive and multiplied by it when negative, so a penalty above 1 always makes
/// a seen token less likely.
/// </summary>
public static class RepetitionPenalty
{
    /// <summary>Returns penalised logits (the input is not modified).</summary>
    /// <param name="logits">[B, V] float32.</param>
    /// <param name="seen">[B, V] bool: which tokens each row has seen.</param>
    /// <param name="penalty">[B, 1] float32; 1 leaves a row unchanged.</param>
    public static Tensor Apply(Tensor logits, Tensor seen, Tensor penalty)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        // where(x < 0, x·p, x/p) is the reference formula; 0 stays 0 either way.
        var zero = Scalars.Zero();
        var penalised = where(logits.lt(zero), logits * penalty, logits / penalty);
        GC.KeepAlive(zero);
        return where(seen, penalised, logits).MoveToOuterDisposeScope();
    }
}
