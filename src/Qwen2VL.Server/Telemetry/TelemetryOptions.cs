namespace Qwen2VL.Server.Telemetry;

/// <summary>How the server reports traces and metrics. Bound from configuration section <see cref="Section"/>.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Qwen2VL:Telemetry";

    /// <summary>The Prometheus scraping path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// <c>service.name</c> of this process's telemetry. <c>OTEL_SERVICE_NAME</c>, when set, wins, as the
    /// OpenTelemetry specification asks.
    /// </summary>
    public string ServiceName { get; set; } = "qwen2vl";

    /// <summary>The server role (gateway, worker, ...), reported as resource attribute <c>qwen2vl.role</c>.</summary>
    public string? Role { get; set; }

    /// <summary>
    /// Also trace Orleans' runtime grain calls. Off by default: membership probes and directory traffic make a steady
    /// stream of spans that drown the request traces.
    /// </summary>
    public bool TraceOrleansRuntime { get; set; }
}
