using OpenTelemetry.Metrics;
using Qwen2VL.Engine.Telemetry;

namespace Qwen2VL.Server.Telemetry;

/// <summary>Applies vLLM's histogram buckets to the engine's latency histograms.</summary>
internal static class HistogramViews
{
    public static MeterProviderBuilder AddQwen2VLHistogramViews(this MeterProviderBuilder metrics)
    {
        foreach (var (instrument, boundaries) in EngineMetricBuckets.ByInstrument)
        {
            metrics.AddView(instrument, new ExplicitBucketHistogramConfiguration { Boundaries = boundaries.ToArray() });
        }

        return metrics;
    }
}
