using System.Globalization;

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

    /// <summary>
    /// Parses the command-line form <c>start:end</c>, end exclusive (<c>0:14</c> is layers 0 to 13); a stage always
    /// holds at least one layer, so <c>5:5</c> is refused.
    /// </summary>
    /// <exception cref="FormatException">The value is not such a range.</exception>
    public static LayerRange Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string[] parts = value.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int start)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int end)
            && end > start
                ? new LayerRange(start, end)
                : throw new FormatException($"'{value}' is not a layer range: expected start:end with start < end, such as 0:14");
    }

    /// <summary>The command-line form that <see cref="Parse"/> reads.</summary>
    public string ToArgument() => $"{Start}:{End}";

    /// <inheritdoc/>
    public override string ToString() => $"[{Start}, {End})";
}
