using System.Diagnostics;
using Qwen2VL.Engine;

namespace Qwen2VL.Cli.Bench;

/// <summary>When each token of one engine stream arrived, in seconds on a clock shared by concurrent streams.</summary>
internal sealed class StreamTiming
{
    private readonly List<double> _tokenTimes = new();

    private StreamTiming(double submitted) => Submitted = submitted;

    /// <summary>When the request was submitted.</summary>
    public double Submitted { get; }

    /// <summary>Arrival time of each generated token.</summary>
    public IReadOnlyList<double> TokenTimes => _tokenTimes;

    /// <summary>Generated token ids, in order.</summary>
    public List<int> Tokens { get; } = new();

    /// <summary>Submit to first token, in seconds.</summary>
    public double TimeToFirstToken => _tokenTimes[0] - Submitted;

    /// <summary>Mean time between tokens after the first (pure decode steps), in seconds.</summary>
    public double MeanInterTokenSeconds => (_tokenTimes[^1] - _tokenTimes[0]) / (_tokenTimes.Count - 1);

    /// <summary>A timing from recorded arrival times (for tests and replays).</summary>
    internal static StreamTiming FromTimes(double submitted, IEnumerable<double> tokenTimes)
    {
        var timing = new StreamTiming(submitted);
        timing._tokenTimes.AddRange(tokenTimes);
        return timing;
    }

    /// <summary>Runs <paramref name="request"/> to the end, timing each token on <paramref name="clock"/>.</summary>
    public static async Task<StreamTiming> RunAsync(InferenceEngine engine, GenerationRequest request, Stopwatch clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(clock);
        var timing = new StreamTiming(clock.Elapsed.TotalSeconds);
        await foreach (var item in engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (item is TokenGenerated token)
            {
                timing._tokenTimes.Add(clock.Elapsed.TotalSeconds);
                timing.Tokens.Add(token.TokenId);
            }
        }

        if (timing._tokenTimes.Count == 0)
        {
            throw new InvalidOperationException($"stream {request.SequenceKey} produced no tokens");
        }

        return timing;
    }

    /// <summary>
    /// Aggregate decode tokens/s of streams that ran together: tokens that arrived while every stream was past its first
    /// token and none had finished, over that window. Prefill is outside the window.
    /// </summary>
    public static double AggregateDecodeRate(IReadOnlyList<StreamTiming> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        double start = streams.Max(s => s.TokenTimes[0]);
        double end = streams.Min(s => s.TokenTimes[^1]);
        long tokens = streams.Sum(s => s.TokenTimes.Count(t => t > start && t <= end));
        if (end <= start || tokens == 0)
        {
            throw new InvalidOperationException("the streams never decoded together; give them more tokens");
        }

        return tokens / (end - start);
    }
}
