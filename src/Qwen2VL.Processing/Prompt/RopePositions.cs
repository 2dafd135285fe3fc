namespace Qwen2VL.Processing.Prompt;

/// <summary>
/// M-RoPE position ids of one sequence: three rows (temporal, height, width) of <see cref="Length"/> positions,
/// and the sequence's <c>rope_delta</c>, which turns a cache position into the position of a later text token.
/// </summary>
public sealed class RopePositions
{
    /// <summary>Wraps row-major [3, length] positions.</summary>
    public RopePositions(long[] values, long ropeDelta)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length % 3 != 0)
        {
            throw new ArgumentException($"positions come in 3 rows; {values.Length} values do not", nameof(values));
        }

        Values = values;
        RopeDelta = ropeDelta;
    }

    /// <summary>Row-major [3, <see cref="Length"/>]: row 0 temporal, row 1 height, row 2 width.</summary>
    public long[] Values { get; }

    /// <summary>Number of token positions per row.</summary>
    public int Length => Values.Length / 3;

    /// <summary>max(position) + 1 − sequence length (pads included); 0 for text only, negative with images.</summary>
    public long RopeDelta { get; }

    /// <summary>Position <paramref name="index"/> of row <paramref name="row"/> (0 t, 1 h, 2 w).</summary>
    public long this[int row, int index] => Values[(row * Length) + index];

    /// <summary>One row: 0 temporal, 1 height, 2 width.</summary>
    public ReadOnlySpan<long> Row(int row) => Values.AsSpan(row * Length, Length);

    /// <summary>
    /// Lays equally long rows out as the model's <c>position_ids</c> tensor, row-major [3, batch, length].
    /// </summary>
    public static long[] Stack(IReadOnlyList<RopePositions> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return [];
        }

        int length = rows[0].Length;
        var stacked = new long[3 * rows.Count * length];
        for (int b = 0; b < rows.Count; b++)
        {
            if (rows[b].Length != length)
            {
                throw new ArgumentException($"row {b} has {rows[b].Length} positions, row 0 has {length}; pad the batch first", nameof(rows));
            }

            for (int r = 0; r < 3; r++)
            {
                rows[b].Row(r).CopyTo(stacked.AsSpan(((r * rows.Count) + b) * length, length));
            }
        }

        return stacked;
    }

    /// <summary>The positions of tokens [<paramref name="start"/>, Length), with the same delta.</summary>
    public RopePositions Slice(int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Length);
        int n = Length - start;
        var values = new long[3 * n];
        for (int r = 0; r < 3; r++)
        {
            Row(r)[start..].CopyTo(values.AsSpan(r * n, n));
        }

        return new RopePositions(values, RopeDelta);
    }
}
