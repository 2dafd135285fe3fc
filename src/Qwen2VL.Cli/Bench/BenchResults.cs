namespace Qwen2VL.Cli.Bench;

/// <summary>The numbers one run measured, in the order they were recorded, plus what could not be measured and why.</summary>
internal sealed class BenchResults
{
    private readonly List<KeyValuePair<string, double>> _values = new();
    private readonly List<string> _notes = new();

    /// <summary>Measured values by key, in recording order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Values => _values;

    /// <summary>Remarks printed under the table (keys left out, conditions of the run).</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Records <paramref name="value"/> under <paramref name="key"/>, replacing an earlier value.</summary>
    public void Set(string key, double value)
    {
        int existing = _values.FindIndex(p => p.Key == key);
        if (existing >= 0)
        {
            _values[existing] = new(key, value);
        }
        else
        {
            _values.Add(new(key, value));
        }
    }

    /// <summary>The value recorded under <paramref name="key"/>, if any.</summary>
    public double? Get(string key)
    {
        int index = _values.FindIndex(p => p.Key == key);
        return index >= 0 ? _values[index].Value : null;
    }

    /// <summary>Adds a remark for the printed output.</summary>
    public void Note(string note) => _notes.Add(note);
}
