namespace Qwen2VL.Cli.Bench.Load;

/// <summary>What a load run measured. Latencies in milliseconds, memory in bytes.</summary>
internal sealed record LoadReport
{
    public required LoadSettings Settings { get; init; }

    /// <summary>The model name the requests used ("" for the server's default).</summary>
    public required string Model { get; init; }

    /// <summary>From the first request to the end of the last one, drain included.</summary>
    public required double ElapsedSeconds { get; init; }

    /// <summary>Requests sent; every one ended completed, failed or unfinished.</summary>
    public required int Started { get; init; }

    public required int Completed { get; init; }

    public required int Failed { get; init; }

    public required int Unfinished { get; init; }

    /// <summary>Requests sent with an image.</summary>
    public required int WithImage { get; init; }

    /// <summary>Requests sent as a session turn.</summary>
    public required int SessionTurns { get; init; }

    /// <summary>Failed requests by error class, most frequent first.</summary>
    public required IReadOnlyList<KeyValuePair<string, int>> Errors { get; init; }

    /// <summary>Generated tokens of the completed requests, as the server's usage reported them.</summary>
    public required long OutputTokens { get; init; }

    public double OutputTokensPerSecond => ElapsedSeconds > 0 ? OutputTokens / ElapsedSeconds : 0;

    public double CompletedPerSecond => ElapsedSeconds > 0 ? Completed / ElapsedSeconds : 0;

    /// <summary>Time to first token of the completed requests.</summary>
    public required Percentiles? TimeToFirstTokenMs { get; init; }

    /// <summary>Gaps between streamed chunks of the completed requests.</summary>
    public required Percentiles? InterTokenMs { get; init; }

    /// <summary>Request to end of stream of the completed requests.</summary>
    public required Percentiles? EndToEndMs { get; init; }

    /// <summary>The server's resident memory, or null when <c>/metrics</c> could not be read twice.</summary>
    public required ServerMemory? Memory { get; init; }

    /// <summary>Why memory is missing, when it is.</summary>
    public string? MemoryError { get; init; }

    public static LoadReport From(LoadSettings settings, string model, IReadOnlyCollection<RequestRecord> records, int started, int withImage, int sessionTurns,
        double elapsedSeconds, ServerMemory? memory, string? memoryError)
    {
        ArgumentNullException.ThrowIfNull(records);
        var completed = records.Where(r => r.Outcome == RequestOutcome.Completed).ToList();
        return new LoadReport
        {
            Settings = settings,
            Model = model,
            ElapsedSeconds = elapsedSeconds,
            Started = started,
            Completed = completed.Count,
            Failed = records.Count(r => r.Outcome == RequestOutcome.Failed),
            Unfinished = records.Count(r => r.Outcome == RequestOutcome.Unfinished),
            WithImage = withImage,
            SessionTurns = sessionTurns,
            Errors = records.Where(r => r.Error is not null).GroupBy(r => r.Error!, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, int>(g.Key, g.Count())).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList(),
            OutputTokens = completed.Sum(r => (long)r.OutputTokens),
            TimeToFirstTokenMs = Percentiles.Of(completed.Where(r => r.FirstTokenSeconds is not null).Select(r => r.FirstTokenSeconds!.Value))?.Scale(1e3),
            InterTokenMs = Percentiles.Of(completed.SelectMany(r => r.Gaps))?.Scale(1e3),
            EndToEndMs = Percentiles.Of(completed.Select(r => r.TotalSeconds))?.Scale(1e3),
            Memory = memory,
            MemoryError = memory is null ? memoryError ?? "fewer than two samples" : null,
        };
    }
}
