using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Abstractions.Idempotency;

/// <summary>The answer to <see cref="IIdempotentRequestGrain.ClaimAsync"/>.</summary>
/// <param name="Outcome">What the caller may do.</param>
/// <param name="Result">For <see cref="ClaimOutcome.Completed"/>: the stored result.</param>
[GenerateSerializer, Immutable]
public sealed record IdempotencyClaim(
    [property: Id(0)] ClaimOutcome Outcome,
    [property: Id(1)] TurnCompleted? Result = null);
