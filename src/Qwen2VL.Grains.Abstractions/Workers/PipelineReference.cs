using System.Runtime.Serialization;

namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>
/// A complete pipeline for one model: stages in order whose layers cover <c>[0, total)</c> without gap or overlap.
/// The first stage drives generation; requests go to its address.
/// </summary>
/// <param name="ModelId">The model served.</param>
/// <param name="Stages">The stages, first to last.</param>
[GenerateSerializer, Immutable]
public sealed record PipelineReference(
    [property: Id(0)] string ModelId,
    IReadOnlyList<PipelineStage> Stages)
{
    /// <summary>The stages, first to last (copied to an array, so stored JSON never names a compiler-made list type).</summary>
    [Id(1)] public IReadOnlyList<PipelineStage> Stages { get; init; } = Stages?.ToArray() ?? throw new ArgumentNullException(nameof(Stages));

    /// <summary>Names the pipeline by its workers, for example <c>w1+w2</c>; stable while the same workers serve it.</summary>
    [IgnoreDataMember]
    public string Id => string.Join('+', Stages.Select(s => s.WorkerId));

    /// <summary>The first stage's address, where generation requests go.</summary>
    [IgnoreDataMember]
    public string EntryAddress => Stages[0].Address;

    /// <summary>Whether both name the same workers in the same process instances.</summary>
    public bool IsSameInstanceAs(PipelineReference? other) =>
        other is not null
        && other.ModelId == ModelId
        && other.Stages.Count == Stages.Count
        && Stages.Zip(other.Stages).All(p => p.First.WorkerId == p.Second.WorkerId && p.First.InstanceId == p.Second.InstanceId);
}
