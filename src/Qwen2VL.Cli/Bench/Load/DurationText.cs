using System.Globalization;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Parses durations as people type them on a command line: <c>600s</c>, <c>10m</c>, <c>1h</c>, <c>500ms</c>, or bare seconds.</summary>
internal static class DurationText
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)];

    /// <summary>The duration <paramref name="text"/> names, or null when it is not a positive duration.</summary>
    public static TimeSpan? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        double scale = 1;
        // "ms" is tried before "s" and "m", so the longest suffix wins.
        foreach (var (suffix, seconds) in Units)
        {
            if (trimmed.Length > suffix.Length && trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && char.IsDigit(trimmed[^(suffix.Length + 1)]))
            {
                trimmed = trimmed[..^suffix.Length];
                scale = seconds;
                break;
            }
        }

        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value * scale)
            : null;
    }
}
