using System.Diagnostics.Metrics;
using Qwen2VL.Engine.Telemetry;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>Counts the requests the in-process engine finishes while it is alive, from the engine's own metric.</summary>
public sealed class EngineRunCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _finished;

    public EngineRunCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name == EngineMetricNames.RequestSuccess)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _finished, value));
        _listener.Start();
    }

    /// <summary>Requests the engine finished since this counter was created.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    public void Dispose() => _listener.Dispose();
}
