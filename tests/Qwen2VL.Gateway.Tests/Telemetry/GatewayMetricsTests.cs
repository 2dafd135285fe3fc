using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Http;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Telemetry;
using Qwen2VL.Gateway.Tests.Http;

namespace Qwen2VL.Gateway.Tests.Telemetry;

/// <summary>Per-tenant counters recorded by <see cref="ChatCompletionsEndpoint"/>, read with a meter listener.</summary>
public sealed class GatewayMetricsTests : IDisposable
{
    private readonly OwnMeterFactory _factory = new();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = new();

    public GatewayMetricsTests()
    {
        // Only this test's meter: other tests' gateways may record at the same time.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_factory.Meters.Contains(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        _listener.Start();
    }

    [Fact]
    public async Task HandleAsync_Completed_CountsRequestAndTokensForTenant()
    {
        await RunAsync(new ScriptedBackend());

        Assert.Equal(20, Sum(GatewayMetricNames.TenantPromptTokens));
        Assert.Equal(3, Sum(GatewayMetricNames.TenantGenerationTokens));
        var request = Assert.Single(_measurements, m => m.Instrument == GatewayMetricNames.TenantRequests);
        Assert.Equal("tenant-m", request.Tags[GatewayMetricNames.TenantTag]);
        Assert.Equal("success", request.Tags[GatewayMetricNames.OutcomeTag]);
    }

    [Fact]
    public async Task HandleAsync_BackendRefuses_CountsErrorOutcomeAndNoTokens()
    {
        var backend = new ScriptedBackend { FailBeforeFirstToken = new ChatBackendException(ChatFailure.Unavailable, "no pipeline") };

        var context = await RunAsync(backend);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        var request = Assert.Single(_measurements, m => m.Instrument == GatewayMetricNames.TenantRequests);
        Assert.Equal("error", request.Tags[GatewayMetricNames.OutcomeTag]);
        Assert.DoesNotContain(_measurements, m => m.Instrument == GatewayMetricNames.TenantPromptTokens);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _factory.Dispose();
    }

    private long Sum(string instrument) => _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    private async Task<HttpContext> RunAsync(IChatBackend backend)
    {
        var endpoint = new ChatCompletionsEndpoint(backend, new TenantAuthenticator(new AnyKey(), new GatewayAuthOptions()),
            new ChatRequestLimits(), NullLogger<ChatCompletionsEndpoint>.Instance, TimeProvider.System, new GatewayMetrics(_factory));
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Headers.Authorization = "Bearer sk-any";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("""{"model":"qwen2-vl-tiny","messages":[{"role":"user","content":"hi"}]}"""));
        context.Response.Body = new MemoryStream();
        await endpoint.HandleAsync(context);
        return context;
    }

    private sealed class AnyKey : ITenantResolver
    {
        public ValueTask<string?> ResolveAsync(string apiKey, CancellationToken cancellationToken) => ValueTask.FromResult<string?>("tenant-m");
    }

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
