using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen2VL.Engine.Telemetry;
using Qwen2VL.Gateway.Telemetry;
using Qwen2VL.Server.Telemetry;

namespace Qwen2VL.Server.Tests.Telemetry;

public sealed class TelemetryWiringTests
{
    [Fact]
    public async Task AddQwen2VLTelemetry_NoOtlpEndpoint_AddsNoOpenTelemetryLogging()
    {
        await using var app = Build(otlpEndpoint: null);

        Assert.DoesNotContain(app.Services.GetServices<ILoggerProvider>(), IsOpenTelemetryLogging);
    }

    [Fact]
    public async Task AddQwen2VLTelemetry_OtlpEndpointSet_AddsOpenTelemetryLogging()
    {
        await using var app = Build(otlpEndpoint: "http://127.0.0.1:4317");

        Assert.Contains(app.Services.GetServices<ILoggerProvider>(), IsOpenTelemetryLogging);
    }

    [Fact]
    public async Task AddQwen2VLTelemetry_LoggingSection_BindsGatewayLoggingOptionsAndRegistersMetrics()
    {
        await using var app = Build(otlpEndpoint: null, includeContent: true);

        Assert.True(app.Services.GetRequiredService<GatewayLoggingOptions>().IncludeContent);
        Assert.NotNull(app.Services.GetRequiredService<EngineMetrics>());
        Assert.NotNull(app.Services.GetRequiredService<GatewayMetrics>());
    }

    private static WebApplication Build(string? otlpEndpoint, bool includeContent = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
        builder.Configuration["Qwen2VL:Logging:IncludeContent"] = includeContent ? "true" : "false";
        builder.AddQwen2VLTelemetry();
        return builder.Build();
    }

    private static bool IsOpenTelemetryLogging(ILoggerProvider provider) =>
        provider.GetType().FullName!.StartsWith("OpenTelemetry.", StringComparison.Ordinal);
}
