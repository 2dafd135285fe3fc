namespace Qwen2VL.Model.Stages;

/// <summary>The decoder layers [Start, End) held by a pipeline stage.</summary>
public readonly record struct LayerRange
{
    /// <summary>Creates the range [<paramref name="start"/>, <paramref name="end"/>); it may be empty only when start = end.</summary>
    public LayerRange(int start, int end)
    {
        if (start < 0 || end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), $"layer range [{start}, {end}) is invalid: need 0 <= start <= end");
        }

        Start = start;
        End = end;
    }

    /// <summary>First layer index.</summary>
    public int Start { get; }

    /// <summary>One past the last layer index.</summary>
    public int End { get; }

    /// <summary>Number of layers.</summary>
    public int Count => End - Start;

    /// <summary>Whether <paramref name="layer"/> lies in the range.</summary>
    public bool Contains(int layer) => layer >= Start && layer < End;

    /// <summary>Splits <paramref name="layerCount"/> layers into <paramref name="stages"/> contiguous ranges as evenly as possible.</summary>
    public static IReadOnlyList<LayerRange> Split(int layerCount, int stages)
    {
        if (stages <= 0 || stages > layerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(stages), $"cannot split {layerCount} layers into {stages} stages");
        }

        var ranges = new LayerRange[stages];
        int start = 0;
        for (int i = 0; i < stages; i++)
        {
            int size = (layerCount / stages) + (i < layerCount % stages ? 1 : 0);
            ranges[i] = new LayerRange(start, start + size);
            start += size;
        }

        return ranges;
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{Start}, {End})";
}
