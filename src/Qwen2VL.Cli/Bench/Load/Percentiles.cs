namespace Qwen2VL.Cli.Bench.Load;

/// <summary>The 50th, 90th and 99th percentiles of a sample, in the sample's unit.</summary>
internal sealed record Percentiles(double P50, double P90, double P99)
{
    /// <summary>The percentiles of <paramref name="values"/>, or null when there are none.</summary>
    public static Percentiles? Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : new(At(sorted, 50), At(sorted, 90), At(sorted, 99));
    }

    /// <summary>
    /// Linear interpolation between the closest ranks (numpy's default, which vLLM's serving benchmark reports), so
    /// figures compare with that tool's.
    /// </summary>
    public static double At(IReadOnlyList<double> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0 || percent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), $"need a non-empty sample and 0 ≤ percent ≤ 100 (got {sorted.Count} values, {percent})");
        }

        double rank = percent / 100 * (sorted.Count - 1);
        int below = (int)Math.Floor(rank);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((rank - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>The same percentiles multiplied by <paramref name="factor"/> (seconds to milliseconds).</summary>
    public Percentiles Scale(double factor) => new(P50 * factor, P90 * factor, P99 * factor);
}
