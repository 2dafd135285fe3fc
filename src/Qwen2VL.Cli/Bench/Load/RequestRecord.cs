namespace Qwen2VL.Cli.Bench.Load;

/// <summary>How one request ended and, when it completed, its timings.</summary>
internal sealed record RequestRecord
{
    private RequestRecord(RequestOutcome outcome, string? error, double totalSeconds)
    {
        Outcome = outcome;
        Error = error;
        TotalSeconds = totalSeconds;
    }

    public RequestOutcome Outcome { get; }

    /// <summary>The error class of a failed request (e.g. <c>http 429 too_many_concurrent_streams</c>), else null.</summary>
    public string? Error { get; }

    /// <summary>Request to end of stream.</summary>
    public double TotalSeconds { get; }

    /// <summary>Request to first text; null unless completed with text (an answer can end at once, with no text).</summary>
    public double? FirstTokenSeconds { get; private init; }

    /// <summary>Gaps between text chunks (completed requests).</summary>
    public IReadOnlyList<double> Gaps { get; private init; } = Array.Empty<double>();

    /// <summary>Generated tokens as the server's usage reported them (completed requests).</summary>
    public int OutputTokens { get; private init; }

    public static RequestRecord Completed(ChunkTimer timer, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return new(RequestOutcome.Completed, null, timer.ElapsedSeconds)
        {
            FirstTokenSeconds = timer.FirstSeconds,
            Gaps = timer.Gaps.ToArray(),
            OutputTokens = outputTokens,
        };
    }

    public static RequestRecord Failed(string error, double totalSeconds) => new(RequestOutcome.Failed, error, totalSeconds);

    public static RequestRecord Unfinished(double totalSeconds) => new(RequestOutcome.Unfinished, null, totalSeconds);
}
