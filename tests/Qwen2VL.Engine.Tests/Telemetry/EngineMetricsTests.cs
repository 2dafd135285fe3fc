using System.Diagnostics.Metrics;
using Qwen2VL.Engine.Telemetry;

namespace Qwen2VL.Engine.Tests.Telemetry;

/// <summary>The gauges' engine registry and the finish-reason tag, read through a meter listener on a private meter.</summary>
public sealed class EngineMetricsTests : IDisposable
{
    private readonly OwnMeterFactory _factory = new();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public EngineMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_factory.Meters.Contains(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    [Fact]
    public void Track_TwoEnginesThenOneDisposed_GaugesReportEachLiveEngine()
    {
        var metrics = new EngineMetrics(_factory);
        using var first = metrics.Track(() => Snapshot(running: 2, waiting: 1, reserved: 50));
        var second = metrics.Track(() => Snapshot(running: 3, waiting: 0, reserved: 25));

        _listener.RecordObservableInstruments();
        var running = Values(EngineMetricNames.RequestsRunning);
        second.Dispose();
        _measurements.Clear();
        _listener.RecordObservableInstruments();

        Assert.Equal(new[] { 2.0, 3.0 }, running);
        Assert.Equal(new[] { 2.0 }, Values(EngineMetricNames.RequestsRunning));
        Assert.Equal(new[] { 0.5 }, Values(EngineMetricNames.KvCacheUsage));
        Assert.Equal("0", Assert.Single(_measurements, m => m.Instrument == EngineMetricNames.RequestsWaiting).Tags[EngineMetricNames.EngineTag]);
    }

    [Theory]
    [InlineData(SequenceFinishReason.Stop, "stop")]
    [InlineData(SequenceFinishReason.Length, "length")]
    [InlineData(SequenceFinishReason.Cancelled, "abort")]
    public void RecordFinished_EachReason_TagsVllmFinishedReason(SequenceFinishReason reason, string expected)
    {
        var metrics = new EngineMetrics(_factory);

        metrics.RecordFinished(reason, TimeSpan.FromSeconds(1.5));

        var success = Assert.Single(_measurements, m => m.Instrument == EngineMetricNames.RequestSuccess);
        Assert.Equal(expected, success.Tags[EngineMetricNames.FinishedReasonTag]);
        Assert.Equal(1.5, Assert.Single(_measurements, m => m.Instrument == EngineMetricNames.EndToEndLatency).Value);
    }

    [Fact]
    public void RecordVisionCacheLookup_MissThenHit_CountsTwoQueriesOneHit()
    {
        var metrics = new EngineMetrics(_factory);

        metrics.RecordVisionCacheLookup(hit: false);
        metrics.RecordVisionCacheLookup(hit: true);

        Assert.Equal(2, Values(EngineMetricNames.VisionCacheQueries).Sum());
        Assert.Equal(1, Values(EngineMetricNames.VisionCacheHits).Sum());
    }

    public void Dispose()
    {
        _listener.Dispose();
        _factory.Dispose();
    }

    private static EngineSnapshot Snapshot(int running, int waiting, int reserved) =>
        new(running, waiting, KvCapacityTokens: 100, KvReservedTokens: reserved, IdleCaches: 0, Preemptions: 0, VisionCacheHits: 0, VisionCacheMisses: 0);

    private List<double> Values(string instrument) => _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).ToList();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    private sealed class OwnMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = new();

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose() => Meters.ForEach(m => m.Dispose());
    }
}
