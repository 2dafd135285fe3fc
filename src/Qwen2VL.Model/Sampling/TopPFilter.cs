using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Nucleus filtering (Holtzman et al., 2019): keeps the smallest set of most likely tokens whose probabilities add
/// up to at least p and sets the rest to −∞. The most likely token is always kept.
/// </summary>
/// <remarks>
/// A token is dropped when the probability of all more likely tokens (in sorted order) already reaches p, which is
/// Hugging Face's "ascending cumulative sum ≤ 1 − p" rule written from the top, without the 1 − p rounding.
/// A full sort of a 150k vocabulary costs about 13 ms per row on one CPU core, so the filter first looks only at the
/// <see cref="CandidateCount"/> most likely tokens: when they already hold p of the mass in every row, everything
/// outside them would be dropped anyway and the answer is the same. Only flat distributions fall back to the sort.
/// </remarks>
public static class TopPFilter
{
    /// <summary>How many top tokens the fast path examines before falling back to a full sort.</summary>
    public const int CandidateCount = 1024;

    /// <summary>Returns the filtered logits (the input is not modified).</summary>
    /// <param name="logits">[B, V] float32.</param>
    /// <param name="topP">[B, 1] float32 in (0, 1]; rows with 1 are left unchanged.</param>
    public static Tensor Apply(Tensor logits, Tensor topP)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(topP);
        using var scope = NewDisposeScope();
        // Rows at p = 1 are off: rounding can push the running sum to 1 before the tail and drop tiny tokens.
        var off = topP >= 1;
        var probs = logits.softmax(-1);
        long vocab = logits.shape[1];
        if (vocab > CandidateCount)
        {
            var (candidates, candidateIds) = probs.topk(CandidateCount, dim: -1, largest: true, sorted: true);
            bool covered = (candidates.sum(-1, keepdim: true) >= topP).logical_or(off).all().item<bool>();
            if (covered)
            {
                var keepCandidate = Keep(candidates, topP, off);
                var keep = zeros_like(probs, ScalarType.Bool).scatter(1, candidateIds, keepCandidate).logical_or(off);
                var minusInfinity = Scalars.NegativeInfinity();
                var kept = logits.masked_fill(keep.logical_not(), minusInfinity).MoveToOuterDisposeScope();
                GC.KeepAlive(minusInfinity);
                return kept;
            }
        }

        var (sorted, order) = probs.sort(dim: -1, descending: true);
        var keepSorted = Keep(sorted, topP, off);
        var drop = zeros_like(keepSorted).scatter(1, order, keepSorted.logical_not());
        var negativeInfinity = Scalars.NegativeInfinity();
        var result = logits.masked_fill(drop, negativeInfinity).MoveToOuterDisposeScope();
        GC.KeepAlive(negativeInfinity);
        return result;
    }

    /// <summary>Which of the probabilities (sorted descending per row) stay in the nucleus.</summary>
    private static Tensor Keep(Tensor sortedProbs, Tensor topP, Tensor off)
    {
        var before = sortedProbs.cumsum(-1) - sortedProbs;
        return (before < topP).logical_or(off);
    }
}
