using System.Globalization;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Reads single values out of the Prometheus text exposition format.</summary>
internal static class PrometheusText
{
    /// <summary>
    /// The value of the first sample of metric <paramref name="name"/> (with or without labels), or null when the text has
    /// none. A sample line is <c>name{labels} value [timestamp]</c>; comments start with <c>#</c>.
    /// </summary>
    public static double? Value(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length)
            {
                continue;
            }

            var rest = line[name.Length..];
            if (rest[0] == '{')
            {
                int close = rest.LastIndexOf('}');
                if (close < 0)
                {
                    continue;
                }

                rest = rest[(close + 1)..];
            }
            else if (rest[0] != ' ')
            {
                // A longer name that starts with this one (name_sum, name_total).
                continue;
            }

            rest = rest.TrimStart();
            int end = rest.IndexOf(' ');
            var value = end < 0 ? rest : rest[..end];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            {
                return number;
            }
        }

        return null;
    }
}
