using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Draws one token per row from a categorical distribution with one uniform number per row (inverse transform
/// sampling). One number per row, chosen by the caller, is what makes seeded sequences reproducible in any batch;
/// torch.multinomial would draw from one generator for the whole batch.
/// </summary>
public static class InverseCdfDraw
{
    /// <summary>Returns [B] int64 token ids: for each row the first token whose cumulative probability exceeds u × total.</summary>
    /// <param name="probs">[B, V] non-negative weights (filtered tokens exactly 0); need not sum to 1.</param>
    /// <param name="uniforms">One number in [0, 1) per row.</param>
    /// <remarks>A token of weight 0 is never returned: the chosen index has cdf[i] &gt; x ≥ cdf[i − 1].</remarks>
    public static Tensor Draw(Tensor probs, IReadOnlyList<double> uniforms)
    {
        ArgumentNullException.ThrowIfNull(probs);
        ArgumentNullException.ThrowIfNull(uniforms);
        long rows = probs.shape[0], vocab = probs.shape[1];
        if (uniforms.Count != rows)
        {
            throw new ArgumentException($"{uniforms.Count} uniforms for {rows} rows", nameof(uniforms));
        }

        using var scope = NewDisposeScope();
        // float64 keeps the running sum exact enough over ~150k tokens for u's 53 bits to matter.
        var cdf = probs.to(ScalarType.Float64).cumsum(-1);
        var total = cdf[TensorIndex.Ellipsis, TensorIndex.Slice(-1)];
        var u = tensor(uniforms.ToArray(), device: probs.device).unsqueeze(1);
        // x must stay strictly below the total, or the count could run past the last non-zero token.
        var belowOne = Scalars.JustBelowOne();
        var x = (u * total).minimum(total.mul(belowOne));
        GC.KeepAlive(belowOne);
        var index = (cdf <= x).sum(-1).clamp_max(vocab - 1);
        return index.MoveToOuterDisposeScope();
    }
}
