using System.Globalization;

namespace Qwen2VL.Server.Hub;

/// <summary>The decoder layers [<see cref="Start"/>, <see cref="End"/>) that one pipeline stage holds.</summary>
public readonly record struct LayerRange
{
    /// <summary>Creates the range; <paramref name="start"/> must be at least 0 and below <paramref name="end"/>.</summary>
    public LayerRange(int start, int end)
    {
        if (start < 0 || end <= start)
        {
            throw new ArgumentException($"layer range [{start}, {end}) must have 0 <= start < end");
        }

        Start = start;
        End = end;
    }

    /// <summary>The first layer held.</summary>
    public int Start { get; }

    /// <summary>One past the last layer held.</summary>
    public int End { get; }

    /// <summary>Whether the stage holds <paramref name="layer"/>.</summary>
    public bool Contains(int layer) => layer >= Start && layer < End;

    /// <summary>Parses <c>start:end</c>, end exclusive (<c>0:14</c> is layers 0 to 13).</summary>
    public static LayerRange Parse(string value)
    {
        string[] parts = value.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int start)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int end)
            && end > start
                ? new LayerRange(start, end)
                : throw new FormatException($"'{value}' is not a layer range: expected 'start:end' with start < end, such as 0:14");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Start}:{End}";
}
