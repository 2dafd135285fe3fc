namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>
/// A generated token's log probability and the most likely alternatives at its position, under the model's raw
/// distribution (before penalties, temperature and filters, as OpenAI reports them).
/// </summary>
/// <param name="Token">The token decoded on its own (a token holding part of a character decodes to U+FFFD).</param>
/// <param name="Logprob">Natural-log probability of the token; at most 0.</param>
/// <param name="TopLogprobs">The most likely tokens at this position, best first; empty unless asked for.</param>
[GenerateSerializer, Immutable]
public sealed record GeneratedLogprob(
    [property: Id(0)] string Token,
    [property: Id(1)] float Logprob,
    IReadOnlyList<AlternativeLogprob> TopLogprobs)
{
    /// <summary>The alternatives, best first (copied to an array, so stored JSON never names a compiler-made list type).</summary>
    [Id(2)] public IReadOnlyList<AlternativeLogprob> TopLogprobs { get; init; } = TopLogprobs?.ToArray() ?? throw new ArgumentNullException(nameof(TopLogprobs));
}
