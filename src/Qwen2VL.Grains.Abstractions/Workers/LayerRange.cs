using System.Runtime.Serialization;

namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>The decoder layers a stage runs: <c>[Start, End)</c>.</summary>
/// <param name="Start">First layer, inclusive.</param>
/// <param name="End">Last layer, exclusive.</param>
[GenerateSerializer, Immutable]
public sealed record LayerRange([property: Id(0)] int Start, [property: Id(1)] int End)
{
    /// <summary>How many layers.</summary>
    [IgnoreDataMember]
    public int Count => End - Start;

    /// <inheritdoc/>
    public override string ToString() => $"[{Start}, {End})";
}
