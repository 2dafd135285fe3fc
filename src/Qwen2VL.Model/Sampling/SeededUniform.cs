namespace Qwen2VL.Model.Sampling;

/// <summary>
/// The random number a seeded sequence uses at a given step: a pure function of (seed, step), so the draw is the
/// same whatever batch the sequence is in, after a restart, or on another worker that only knows the seed and how
/// many tokens were generated. A stateful generator (System.Random, torch.Generator) cannot be positioned at a step
/// or moved between processes, which is why this counter-based stream is written here.
/// </summary>
/// <remarks>
/// The stream is SplitMix64 (Steele, Lea and Flood, 2014): the step-th output of the generator whose state starts at
/// the seed. It passes BigCrush, and one value per step is all inverse-CDF sampling needs.
/// </remarks>
public static class SeededUniform
{
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>A uniform double in [0, 1) for <paramref name="step"/> (0-based) of the stream seeded with <paramref name="seed"/>.</summary>
    public static double At(long seed, long step)
    {
        ulong z = unchecked((ulong)seed + (GoldenGamma * ((ulong)step + 1)));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;

        // The top 53 bits make every double of the form k / 2^53, so the value is below 1.
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
