using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Nucleus filtering (Holtzman et al., 2019): keeps the smallest set of most likely tokens whose probabilities add
/// up to at least p and sets the rest to −∞. The most likely token is always kept.
/// </summary>
/// <remarks>
/// A token is dropped when the probability of all strictly more likely tokens (in sorted order) already reaches p,
/// which is Hugging Face's "ascending cumulative sum ≤ 1 − p" rule written from the top, without the 1 − p rounding.
/// </remarks>
public static class TopPFilter
{
    /// <summary>Returns the filtered logits (the input is not modified).</summary>
    /// <param name="logits">[B, V] float32.</param>
    /// <param name="topP">[B, 1] float32 in (0, 1]; rows with 1 are left unchanged.</param>
    public static Tensor Apply(Tensor logits, Tensor topP)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        var (sorted, order) = logits.sort(dim: -1, descending: true);
        var probs = sorted.softmax(-1);
        var before = probs.cumsum(-1) - probs;
        // Rows at p = 1 are off: rounding can push the running sum to 1 before the tail and drop tiny tokens.
        var dropSorted = (before >= topP).logical_and(topP < 1);
        var drop = zeros_like(dropSorted).scatter(1, order, dropSorted);
        return logits.masked_fill(drop, float.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
