using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Keeps each row's k highest logits and sets the rest to −∞. As in Hugging Face, the cut is a threshold at the k-th
/// highest value, so tokens tied with it are kept too.
/// </summary>
public static class TopKFilter
{
    /// <summary>Returns the filtered logits (the input is not modified).</summary>
    /// <param name="logits">[B, V] float32.</param>
    /// <param name="topK">Per row: k, or 0 (or less) for no filtering; values above V keep everything.</param>
    public static Tensor Apply(Tensor logits, IReadOnlyList<int> topK)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(topK);
        long rows = logits.shape[0], vocab = logits.shape[1];
        if (topK.Count != rows)
        {
            throw new ArgumentException($"topK has {topK.Count} entries for {rows} rows", nameof(topK));
        }

        // One topk up to the largest k in the batch, instead of a full sort: k is usually far below V.
        long[] k = topK.Select(v => Math.Clamp(v, 0L, vocab)).ToArray();
        long kMax = k.Max();
        if (kMax == 0)
        {
            return logits.alias();
        }

        using var scope = NewDisposeScope();
        var (values, _) = logits.topk((int)kMax, dim: -1, largest: true, sorted: true);
        var kTensor = tensor(k, device: logits.device).unsqueeze(1);
        var kth = values.gather(1, kTensor.sub(Scalars.OneInteger).clamp_min(Scalars.ZeroInteger));
        var threshold = where(kTensor.gt(Scalars.ZeroInteger), kth, full_like(kth, Scalars.NegativeInfinity));
        return logits.masked_fill(logits < threshold, Scalars.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
