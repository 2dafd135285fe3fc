using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// Which pipeline holds a session's KV cache. The session sends its next turn there so only the new tokens need a
/// prefill. The epoch grows each time the cache moves to another pipeline; it is part of the sequence key, so a
/// stale cache left on an old pipeline is never mistaken for the current one.
/// </summary>
/// <param name="Pipeline">The pipeline that holds the cache.</param>
/// <param name="CoveredTokens">How many tokens of the stored history (system prompt included) the cache holds.</param>
/// <param name="Epoch">Starts at 1 and grows by one on each move.</param>
[GenerateSerializer, Immutable]
public sealed record KvLease(
    [property: Id(0)] PipelineReference Pipeline,
    [property: Id(1)] long CoveredTokens,
    [property: Id(2)] long Epoch)
{
    /// <summary>The key the workers file this session's cache under for this epoch.</summary>
    public static string SequenceKeyFor(SessionKey session, long epoch) => $"{session}#{epoch}";
}
