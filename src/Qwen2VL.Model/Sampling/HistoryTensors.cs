using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Turns the token histories of a batch into the dense [B, V] tensors the penalties work on, with one index
/// tensor per batch rather than one op per row or per token.
/// </summary>
public static class HistoryTensors
{
    /// <summary>[B, V] bool: true where the row's prompt or output holds the token. Null rows stay all false.</summary>
    public static Tensor SeenMask(IReadOnlyList<TokenHistory?> rows, long vocabSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var flat = new List<long>();
        for (int row = 0; row < rows.Count; row++)
        {
            if (rows[row] is { } history)
            {
                foreach (int id in history.SeenTokenIds)
                {
                    flat.Add(FlatIndex(row, id, vocabSize));
                }
            }
        }

        using var scope = NewDisposeScope();
        var mask = zeros(rows.Count * vocabSize, ScalarType.Bool, device);
        if (flat.Count > 0)
        {
            mask.index_fill_(0, tensor(flat.ToArray(), device: device), true);
        }

        return mask.view(rows.Count, vocabSize).MoveToOuterDisposeScope();
    }

    /// <summary>[B, V] float32: how often the row's output holds the token. Null rows stay all zero.</summary>
    public static Tensor OutputCounts(IReadOnlyList<TokenHistory?> rows, long vocabSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var flat = new List<long>();
        var counts = new List<float>();
        for (int row = 0; row < rows.Count; row++)
        {
            if (rows[row] is { } history)
            {
                foreach (var (id, count) in history.OutputTokenCounts)
                {
                    flat.Add(FlatIndex(row, id, vocabSize));
                    counts.Add(count);
                }
            }
        }

        using var scope = NewDisposeScope();
        var dense = zeros(rows.Count * vocabSize, ScalarType.Float32, device);
        if (flat.Count > 0)
        {
            // Each (row, id) appears once, so a copy is exact and needs no accumulation.
            dense.index_copy_(0, tensor(flat.ToArray(), device: device), tensor(counts.ToArray(), device: device));
        }

        return dense.view(rows.Count, vocabSize).MoveToOuterDisposeScope();
    }

    private static long FlatIndex(int row, int id, long vocabSize)
    {
        if (id >= vocabSize)
        {
            throw new ArgumentException($"row {row} has token id {id} in its history, outside the vocabulary of {vocabSize} logits");
        }

        return (row * vocabSize) + id;
    }
}
