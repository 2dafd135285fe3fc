using System.Diagnostics.Metrics;

namespace Qwen2VL.Engine.Telemetry;

/// <summary>
/// The scheduler's metrics (meter <see cref="MeterName"/>), recorded by <see cref="InferenceEngine"/> at the moments
/// they describe. One instance serves every engine of a process. Recording is a few lock-free instrument updates per
/// token; the gauges are read from <see cref="EngineSnapshot"/>s only when a collector asks, so an unobserved meter
/// costs the scheduler almost nothing.
/// </summary>
public sealed class EngineMetrics
{
    /// <summary>The meter's name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Qwen2VL.Engine";

    private static readonly KeyValuePair<string, object?>[][] FinishTags = Enum.GetValues<SequenceFinishReason>()
        .Select(reason => new[] { new KeyValuePair<string, object?>(EngineMetricNames.FinishedReasonTag, FinishReasonValue(reason)) })
        .ToArray();

    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Histogram<double> _endToEnd;
    private readonly Histogram<double> _queueTime;
    private readonly Histogram<double> _prefillTime;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _generationTokens;
    private readonly Counter<long> _prefixQueries;
    private readonly Counter<long> _prefixHits;
    private readonly Counter<long> _visionQueries;
    private readonly Counter<long> _visionHits;
    private readonly Counter<long> _preemptions;
    private readonly Counter<long> _requestSuccess;
    private readonly EngineSnapshotRegistry _engines = new();

    /// <param name="meterFactory">The host's meter factory (the meter's lifetime is the container's).</param>
    public EngineMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _timeToFirstToken = meter.CreateHistogram<double>(EngineMetricNames.TimeToFirstToken, "s", "Time from submission to the first generated token.");
        _interTokenLatency = meter.CreateHistogram<double>(EngineMetricNames.InterTokenLatency, "s", "Time between two consecutive generated tokens of a sequence.");
        _endToEnd = meter.CreateHistogram<double>(EngineMetricNames.EndToEndLatency, "s", "Time from submission to the end of a finished request.");
        _queueTime = meter.CreateHistogram<double>(EngineMetricNames.QueueTime, "s", "Time a request waited for admission.");
        _prefillTime = meter.CreateHistogram<double>(EngineMetricNames.PrefillTime, "s", "Time from admission to the first generated token.");
        _promptTokens = meter.CreateCounter<long>(EngineMetricNames.PromptTokens, "{token}", "Prompt tokens of requests that reached their first token.");
        _generationTokens = meter.CreateCounter<long>(EngineMetricNames.GenerationTokens, "{token}", "Generated tokens.");
        _prefixQueries = meter.CreateCounter<long>(EngineMetricNames.PrefixCacheQueries, "{token}", "Prompt tokens looked up in kept KV caches.");
        _prefixHits = meter.CreateCounter<long>(EngineMetricNames.PrefixCacheHits, "{token}", "Prompt tokens served from kept KV caches.");
        _visionQueries = meter.CreateCounter<long>(EngineMetricNames.VisionCacheQueries, "{item}", "Images and videos looked up in the vision embedding cache.");
        _visionHits = meter.CreateCounter<long>(EngineMetricNames.VisionCacheHits, "{item}", "Images and videos served from the vision embedding cache.");
        _preemptions = meter.CreateCounter<long>(EngineMetricNames.Preemptions, "{preemption}", "Running sequences preempted to free KV memory.");
        _requestSuccess = meter.CreateCounter<long>(EngineMetricNames.RequestSuccess, "{request}", "Finished requests by finish reason.");
        meter.CreateObservableGauge(EngineMetricNames.RequestsRunning, () => _engines.Observe(s => s.Running), "{request}", "Sequences running.");
        meter.CreateObservableGauge(EngineMetricNames.RequestsWaiting, () => _engines.Observe(s => s.Waiting), "{request}", "Requests waiting for admission.");
        // No unit: Prometheus exporters turn the ratio unit "1" into a "_ratio" suffix, which would break the vLLM name.
        meter.CreateObservableGauge(EngineMetricNames.KvCacheUsage, () => _engines.Observe(s => s.KvUsage), unit: null, "KV token budget in use; 1 means 100 percent.");
    }

    /// <summary>
    /// Publishes an engine's <see cref="EngineSnapshot"/> through the gauges until the returned handle is disposed.
    /// </summary>
    public IDisposable Track(Func<EngineSnapshot> snapshot) => _engines.Add(snapshot);

    /// <summary>A request's first token: its prompt accounting and the phases before it.</summary>
    /// <param name="cachedPromptTokens">Prompt tokens served from a kept cache.</param>
    public void RecordFirstToken(int promptTokens, int cachedPromptTokens, TimeSpan timeToFirstToken, TimeSpan queueTime, TimeSpan prefillTime)
    {
        _promptTokens.Add(promptTokens);
        _prefixQueries.Add(promptTokens);
        _prefixHits.Add(cachedPromptTokens);
        _timeToFirstToken.Record(timeToFirstToken.TotalSeconds);
        _queueTime.Record(queueTime.TotalSeconds);
        _prefillTime.Record(prefillTime.TotalSeconds);
    }

    /// <summary>The gap between a token and the previous one of the same sequence.</summary>
    public void RecordInterTokenLatency(TimeSpan latency) => _interTokenLatency.Record(latency.TotalSeconds);

    /// <summary>Tokens sampled in one step (summed per step rather than per token, to keep the step cheap).</summary>
    public void RecordGeneratedTokens(int count) => _generationTokens.Add(count);

    /// <summary>A request ended with a finish reason (failures are not successes and are not counted here).</summary>
    public void RecordFinished(SequenceFinishReason reason, TimeSpan endToEnd)
    {
        _requestSuccess.Add(1, FinishTags[(int)reason]);
        _endToEnd.Record(endToEnd.TotalSeconds);
    }

    /// <summary>A running sequence was preempted.</summary>
    public void RecordPreemption() => _preemptions.Add(1);

    /// <summary>An image or video was looked up in the vision embedding cache.</summary>
    public void RecordVisionCacheLookup(bool hit)
    {
        _visionQueries.Add(1);
        if (hit)
        {
            _visionHits.Add(1);
        }
    }

    /// <summary>vLLM's finish reason names, so the tag values match its dashboards.</summary>
    public static string FinishReasonValue(SequenceFinishReason reason) => reason switch
    {
        SequenceFinishReason.Stop => "stop",
        SequenceFinishReason.Length => "length",
        SequenceFinishReason.Cancelled => "abort",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown finish reason"),
    };
}
