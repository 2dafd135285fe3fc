using System.Diagnostics.Metrics;

namespace Qwen2VL.Engine.Telemetry;

/// <summary>
/// The engines whose snapshots feed the gauges. Registration happens once per engine and reads happen once per
/// collection, so a lock is cheap here and keeps the scheduler threads out of it.
/// </summary>
internal sealed class EngineSnapshotRegistry
{
    private readonly Lock _lock = new();
    private readonly List<(string Id, Func<EngineSnapshot> Snapshot)> _engines = new();
    private int _nextId;

    public IDisposable Add(Func<EngineSnapshot> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_lock)
        {
            var entry = ((_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture), snapshot);
            _engines.Add(entry);
            return new Registration(this, entry.Item1);
        }
    }

    public IEnumerable<Measurement<T>> Observe<T>(Func<EngineSnapshot, T> value)
        where T : struct
    {
        lock (_lock)
        {
            return _engines
                .Select(e => new Measurement<T>(value(e.Snapshot()), new KeyValuePair<string, object?>(EngineMetricNames.EngineTag, e.Id)))
                .ToList();
        }
    }

    private void Remove(string id)
    {
        lock (_lock)
        {
            _engines.RemoveAll(e => e.Id == id);
        }
    }

    private sealed class Registration(EngineSnapshotRegistry registry, string id) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                registry.Remove(id);
            }
        }
    }
}
