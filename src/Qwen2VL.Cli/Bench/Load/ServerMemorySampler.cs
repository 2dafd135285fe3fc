using System.Diagnostics;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// Reads the server's resident memory from its Prometheus <c>/metrics</c>: before the load, when the warm-up ends, every
/// interval after that, and once after the last request. On Linux the .NET runtime's working-set gauge is the
/// process's RSS (VmRSS); exporters that follow Prometheus' own process metrics name it
/// <c>process_resident_memory_bytes</c>. Only the scraped process counts: pipeline stages in child processes are not
/// included.
/// </summary>
internal sealed class ServerMemorySampler
{
    /// <summary>Metric names tried in order.</summary>
    public static readonly IReadOnlyList<string> MetricNames = ["dotnet_process_memory_working_set_bytes", "process_resident_memory_bytes"];

    private readonly HttpClient _http;
    private readonly Uri _metrics;
    private readonly Stopwatch _clock;
    private readonly List<MemorySample> _samples = new();

    public ServerMemorySampler(HttpClient http, Uri server, Stopwatch clock)
    {
        _http = http;
        _metrics = new Uri(server, "/metrics");
        _clock = clock;
    }

    /// <summary>Samples taken so far, in time order.</summary>
    public IReadOnlyList<MemorySample> Samples => _samples;

    /// <summary>Why the last read failed, if it did (shown in the report when no sample could be taken).</summary>
    public string? LastError { get; private set; }

    /// <summary>Takes one sample now; a server that cannot be read is remembered in <see cref="LastError"/>, not thrown.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            string text = await _http.GetStringAsync(_metrics, cancellationToken).ConfigureAwait(false);
            double? bytes = MetricNames.Select(name => PrometheusText.Value(text, name)).FirstOrDefault(v => v is not null);
            if (bytes is null)
            {
                LastError = $"{_metrics} has none of {string.Join(", ", MetricNames)}";
                return;
            }

            lock (_samples)
            {
                _samples.Add(new MemorySample(_clock.Elapsed.TotalSeconds, (long)bytes.Value));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LastError = $"{_metrics}: {e.Message}";
        }
    }

    /// <summary>Samples at <paramref name="warmup"/> and then every <paramref name="interval"/> until <paramref name="stop"/> cancels.</summary>
    public async Task RunAsync(TimeSpan warmup, TimeSpan interval, CancellationToken stop)
    {
        try
        {
            var next = warmup;
            while (true)
            {
                var wait = next - _clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop).ConfigureAwait(false);
                }

                await SampleAsync(stop).ConfigureAwait(false);
                next += interval;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }
}
