namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>A place in a template's source (1-based line and column), for error messages.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line}, column {Column}";
}
