namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>One of the most likely tokens at a generated position, whether or not it was the one chosen.</summary>
/// <param name="Token">The token decoded on its own.</param>
/// <param name="Logprob">Its natural-log probability.</param>
[GenerateSerializer, Immutable]
public sealed record AlternativeLogprob(
    [property: Id(0)] string Token,
    [property: Id(1)] float Logprob);
