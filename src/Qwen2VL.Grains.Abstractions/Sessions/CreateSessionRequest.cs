using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>What a new session starts with.</summary>
/// <param name="ModelId">The model that answers in this session; pipelines are chosen among those serving it.</param>
/// <param name="SystemPrompt">Instructions sent before the history on every turn; none when null or empty.</param>
/// <param name="DefaultSampling">Sampling used by every turn unless the turn overrides it.</param>
[GenerateSerializer, Immutable]
public sealed record CreateSessionRequest(
    [property: Id(0)] string ModelId,
    [property: Id(1)] string? SystemPrompt = null,
    [property: Id(2)] SamplingSettings? DefaultSampling = null);
