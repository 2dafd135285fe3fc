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
        TorchSharp.Scalar one = Scalars.OneInteger(), zero = Scalars.ZeroInteger(), negativeInfinity = Scalars.NegativeInfinity();
        var kth = values.gather(1, kTensor.sub(one).clamp_min(zero));
        var threshold = where(kTensor.gt(zero), kth, full_like(kth, negativeInfinity));
        var result = logits.masked_fill(logits < threshold, negativeInfinity).MoveToOuterDisposeScope();
        GC.KeepAlive(one);
        GC.KeepAlive(zero);
        GC.KeepAlive(negativeInfinity);
        return result;
    }
}
