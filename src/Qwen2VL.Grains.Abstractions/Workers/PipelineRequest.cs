namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>Asks the directory for a pipeline to run a session's turn on.</summary>
/// <param name="ModelId">The model needed.</param>
/// <param name="CurrentLease">
/// The pipeline holding the session's cache, if any: it is returned again while all its workers are alive in the
/// same process instances (even when draining, so a drain does not cut running conversations).
/// </param>
/// <param name="AffinityKey">
/// A hash of the prompt's shared prefix (for example the system prompt): sessions with the same key go to the same
/// pipeline, whose prefix cache they can share. Null for no preference.
/// </param>
/// <param name="ExcludedPipelineIds">Pipelines not to return (they just failed for this session).</param>
[GenerateSerializer, Immutable]
public sealed record PipelineRequest(
    [property: Id(0)] string ModelId,
    [property: Id(1)] PipelineReference? CurrentLease = null,
    [property: Id(2)] string? AffinityKey = null,
    [property: Id(3)] IReadOnlyList<string>? ExcludedPipelineIds = null);
