namespace Qwen2VL.Processing.Images;

/// <summary>
/// The vision tower's input for one image or video: a row-major [<see cref="PatchCount"/>, <see cref="Columns"/>]
/// float32 matrix (the model's <c>pixel_values</c> rows for this item) and its grid.
/// </summary>
public sealed class PatchedPixels
{
    /// <summary>Wraps a flattened patch matrix; its length must be grid.PatchCount × columns.</summary>
    public PatchedPixels(float[] values, GridThw grid, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.LongLength != (long)grid.PatchCount * columns)
        {
            throw new ArgumentException(
                $"grid {grid} has {grid.PatchCount} patches of {columns} values = {(long)grid.PatchCount * columns}, but got {values.LongLength} values",
                nameof(values));
        }

        Values = values;
        Grid = grid;
        Columns = columns;
    }

    /// <summary>Normalised pixels, rows in (t, h_block, w_block, mh, mw) order, columns in (C, T, py, px) order.</summary>
    public float[] Values { get; }

    /// <summary>The patch grid (t, h, w).</summary>
    public GridThw Grid { get; }

    /// <summary>Values per patch (1176 for patch 14, temporal patch 2).</summary>
    public int Columns { get; }

    /// <summary>Rows of <see cref="Values"/>.</summary>
    public int PatchCount => Grid.PatchCount;
}
