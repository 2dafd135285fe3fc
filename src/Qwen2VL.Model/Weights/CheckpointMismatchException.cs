namespace Qwen2VL.Model.Weights;

/// <summary>Thrown when a checkpoint lacks parameters the model needs or holds tensors the model does not know.</summary>
public sealed class CheckpointMismatchException : IOException
{
    private const int ListedNames = 20;

    /// <summary>Creates the exception with the offending names.</summary>
    public CheckpointMismatchException(string checkpoint, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
        : base(Describe(checkpoint, missing, unexpected))
    {
        Missing = missing;
        Unexpected = unexpected;
    }

    /// <summary>Parameters the model needs that the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Checkpoint tensors no parameter of the model corresponds to.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    private static string Describe(string checkpoint, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} missing parameter(s): {List(missing)}");
        }

        if (unexpected.Count > 0)
        {
            parts.Add($"{unexpected.Count} unexpected tensor(s): {List(unexpected)}");
        }

        return $"checkpoint {checkpoint} does not match the model: {string.Join("; ", parts)}";
    }

    private static string List(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(ListedNames)) + (names.Count > ListedNames ? $", … ({names.Count - ListedNames} more)" : "");
}
