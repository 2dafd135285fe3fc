namespace Qwen2VL.Model.Sampling;

/// <summary>
/// What the penalties of one sequence need to know about its tokens so far: which ids occur in prompt or output
/// (repetition penalty) and how often each id occurs in the output (presence and frequency penalties), plus the
/// output length, which also numbers the seeded random draws. Kept as sets and counts, updated one token at a time,
/// so a step costs the number of distinct tokens, not the length of the sequence.
/// </summary>
/// <remarks>Not thread-safe: one sequence is advanced by one decode loop.</remarks>
public sealed class TokenHistory
{
    private readonly HashSet<int> _seen;
    private readonly Dictionary<int, int> _outputCounts = [];

    /// <summary>Starts the history of a sequence whose prompt holds <paramref name="promptTokenIds"/>.</summary>
    public TokenHistory(IEnumerable<int> promptTokenIds)
    {
        ArgumentNullException.ThrowIfNull(promptTokenIds);
        _seen = [.. promptTokenIds];
    }

    /// <summary>How many tokens have been generated (appended) so far.</summary>
    public int OutputCount { get; private set; }

    /// <summary>The distinct ids in prompt and output.</summary>
    public IReadOnlySet<int> SeenTokenIds => _seen;

    /// <summary>How often each id occurs in the output.</summary>
    public IReadOnlyDictionary<int, int> OutputTokenCounts => _outputCounts;

    /// <summary>Records a generated token; call once per step with the token the sampler chose (or the caller forced).</summary>
    public void Append(int tokenId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenId);
        _seen.Add(tokenId);
        _outputCounts[tokenId] = _outputCounts.GetValueOrDefault(tokenId) + 1;
        OutputCount++;
    }
}
