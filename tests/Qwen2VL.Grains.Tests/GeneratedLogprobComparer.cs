using Qwen2VL.Grains.Abstractions.Generation;

namespace Qwen2VL.Grains.Tests;

/// <summary>Compares logprobs by value: records compare their alternative lists by reference.</summary>
public sealed class GeneratedLogprobComparer : IEqualityComparer<GeneratedLogprob>
{
    public static GeneratedLogprobComparer Instance { get; } = new();

    public bool Equals(GeneratedLogprob? x, GeneratedLogprob? y) =>
        x is not null && y is not null && x.Token == y.Token && x.Logprob == y.Logprob && x.TopLogprobs.SequenceEqual(y.TopLogprobs);

    public int GetHashCode(GeneratedLogprob obj) => HashCode.Combine(obj.Token, obj.Logprob, obj.TopLogprobs.Count);
}
