using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Qwen2VL.Engine.Telemetry;
using Qwen2VL.Gateway.Telemetry;
using Qwen2VL.Server.Health;

namespace Qwen2VL.Server.Telemetry;

/// <summary>Wires OpenTelemetry tracing, metrics and (with OTLP) logs into a server role.</summary>
public static class TelemetryExtensions
{
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Registers <see cref="EngineMetrics"/>, <see cref="GatewayMetrics"/> and <see cref="GatewayLoggingOptions"/>
    /// (from <c>Qwen2VL:Logging</c>), and OpenTelemetry with this project's sources and meters, ASP.NET Core, HTTP
    /// and gRPC client instrumentation, Orleans' application spans and a Prometheus exporter (map it with
    /// <see cref="MapQwen2VLMetrics"/>). Traces, metrics and logs also go to OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other <c>OTEL_*</c> variables itself).
    /// </summary>
    /// <param name="configure">Adjusts the options after binding <c>Qwen2VL:Telemetry</c>.</param>
    public static WebApplicationBuilder AddQwen2VLTelemetry(this WebApplicationBuilder builder, Action<TelemetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new TelemetryOptions();
        builder.Configuration.GetSection(TelemetryOptions.Section).Bind(options);
        configure?.Invoke(options);

        var logging = new GatewayLoggingOptions();
        builder.Configuration.GetSection(GatewayLoggingOptions.Section).Bind(logging);
        builder.Services.TryAddSingleton(logging);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<EngineMetrics>();
        builder.Services.TryAddSingleton<GatewayMetrics>();
        // Log records carry the trace and span ids, so logs and traces join up.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => ConfigureResource(resource, options))
            .WithTracing(tracing => ConfigureTracing(tracing, options))
            .WithMetrics(ConfigureMetrics);
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]))
        {
            telemetry.WithLogging(configureBuilder: null, configureOptions: o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Maps the Prometheus scraping endpoint at <see cref="TelemetryOptions.MetricsPath"/>.</summary>
    public static IEndpointConventionBuilder MapQwen2VLMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapPrometheusScrapingEndpoint(TelemetryOptions.MetricsPath);

    private static void ConfigureResource(ResourceBuilder resource, TelemetryOptions options)
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
        {
            resource.AddService(options.ServiceName);
        }

        if (!string.IsNullOrWhiteSpace(options.Role))
        {
            resource.AddAttributes([new KeyValuePair<string, object>("qwen2vl.role", options.Role)]);
        }
    }

    private static void ConfigureTracing(TracerProviderBuilder tracing, TelemetryOptions options)
    {
        tracing.AddSource(TelemetrySources.ActivitySource, TelemetrySources.OrleansApplication);
        if (options.TraceOrleansRuntime)
        {
            tracing.AddSource(TelemetrySources.OrleansRuntime);
        }

        // Scrapes and probes arrive every few seconds and say nothing about requests.
        tracing.AddAspNetCoreInstrumentation(o => o.Filter = context => !IsOperationalPath(context.Request.Path));
        tracing.AddGrpcClientInstrumentation();
        tracing.AddHttpClientInstrumentation();
    }

    private static void ConfigureMetrics(MeterProviderBuilder metrics)
    {
        metrics.AddMeter([.. TelemetrySources.Meters, TelemetrySources.OrleansMeter, TelemetrySources.RuntimeMeter]);
        metrics.AddAspNetCoreInstrumentation();
        metrics.AddHttpClientInstrumentation();
        metrics.AddQwen2VLHistogramViews();
        metrics.AddPrometheusExporter();
    }

    private static bool IsOperationalPath(PathString path) =>
        path.StartsWithSegments(TelemetryOptions.MetricsPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(HealthEndpoints.BasePath, StringComparison.OrdinalIgnoreCase);
}
