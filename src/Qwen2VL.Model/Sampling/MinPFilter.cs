using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Min-p filtering (Nguyen et al., 2024): drops tokens whose probability is below <c>min_p</c> times the most likely
/// token's probability, so the cut scales with the model's confidence. The most likely token is always kept.
/// </summary>
public static class MinPFilter
{
    /// <summary>Returns the filtered logits (the input is not modified).</summary>
    /// <param name="logits">[B, V] float32 (already filtered tokens at −∞ stay there).</param>
    /// <param name="minP">[B, 1] float32 in [0, 1]; rows with 0 are left unchanged.</param>
    public static Tensor Apply(Tensor logits, Tensor minP)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        var probs = logits.softmax(-1);
        var (top, _) = probs.max(-1, keepdim: true);
        var negativeInfinity = Scalars.NegativeInfinity();
        var result = logits.masked_fill(probs < (top * minP), negativeInfinity).MoveToOuterDisposeScope();
        GC.KeepAlive(negativeInfinity);
        return result;
    }
}
