namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>
/// One streamed answer: when its first and last pieces arrived (seconds on the caller's clock), how many tokens it had
/// and its text. The serving path streams text deltas and reports the token count only at the end (a delta can hold
/// several tokens when one character spans them), so per-token times come from the first and last arrivals.
/// </summary>
internal sealed record TimedAnswer(double First, double Last, int Tokens, string Text)
{
    /// <summary>Mean decode time per token after the first: (last − first) / (tokens − 1).</summary>
    public double SecondsPerToken => Tokens > 1 ? (Last - First) / (Tokens - 1)
        : throw new InvalidOperationException($"an answer of {Tokens} token(s) has no decode time; ask for more tokens");

    /// <summary>
    /// Decode tokens/s of answers streamed together: every token after each answer's first, over the time from the
    /// earliest first arrival to the latest last one.
    /// </summary>
    public static double AggregateDecodeRate(IReadOnlyList<TimedAnswer> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        double window = answers.Max(a => a.Last) - answers.Min(a => a.First);
        long tokens = answers.Sum(a => (long)a.Tokens - 1);
        return window > 0 && tokens > 0 ? tokens / window
            : throw new InvalidOperationException($"{answers.Count} answers decoded {tokens} tokens in {window:F3} s; ask for more tokens");
    }

    /// <summary>Whether both answers are the same text with the same number of tokens.</summary>
    public bool SameAs(TimedAnswer other) => other is not null && Tokens == other.Tokens && Text == other.Text;

    public override string ToString() => $"{Tokens} tokens '{Text}'";
}
