namespace Qwen2VL.Engine.Telemetry;

/// <summary>
/// Histogram bucket boundaries in seconds, the same as vLLM's so latency percentiles compare across both servers.
/// The host applies them with OpenTelemetry views (<see cref="ByInstrument"/>); the defaults of OpenTelemetry are
/// tuned for milliseconds and would put every token latency into the first bucket.
/// </summary>
public static class EngineMetricBuckets
{
    /// <summary>Time to first token: from a millisecond (a cached prompt) to tens of minutes (a long queue).</summary>
    public static IReadOnlyList<double> TimeToFirstToken { get; } =
    [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
        2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
    ];

    /// <summary>Inter-token latency.</summary>
    public static IReadOnlyList<double> InterTokenLatency { get; } =
    [
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0,
        2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
    ];

    /// <summary>Whole-request phases: end to end, queue and prefill.</summary>
    public static IReadOnlyList<double> RequestLatency { get; } =
    [
        0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
        40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
    ];

    /// <summary>Each engine histogram's name with its boundaries.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<double>> ByInstrument { get; } = new Dictionary<string, IReadOnlyList<double>>
    {
        [EngineMetricNames.TimeToFirstToken] = TimeToFirstToken,
        [EngineMetricNames.InterTokenLatency] = InterTokenLatency,
        [EngineMetricNames.EndToEndLatency] = RequestLatency,
        [EngineMetricNames.QueueTime] = RequestLatency,
        [EngineMetricNames.PrefillTime] = RequestLatency,
    };
}
