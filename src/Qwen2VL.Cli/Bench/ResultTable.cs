using System.Globalization;
using System.Text;

namespace Qwen2VL.Cli.Bench;

/// <summary>Formats the results as an aligned text table (key, value, goal, references) followed by the notes.</summary>
internal static class ResultTable
{
    public static string Format(BenchResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = new List<string[]> { new[] { "key", "value", "goal", "Python (HF eager)", "llama.cpp" } };
        foreach (var (key, value) in results.Values)
        {
            var reference = BenchReferences.For(key);
            rows.Add(new[] { key, Number(value), reference.Goal, reference.Python, reference.LlamaCpp });
        }

        int[] widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        foreach (string note in results.Notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"note: {note}");
        }

        return text.ToString();
    }

    private static string Number(double value) =>
        Math.Abs(value) >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("F1", CultureInfo.InvariantCulture)
        : value.ToString("F2", CultureInfo.InvariantCulture);
}
