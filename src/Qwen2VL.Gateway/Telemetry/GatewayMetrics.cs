using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Qwen2VL.Gateway.Telemetry;

/// <summary>The gateway's metrics (meter <see cref="MeterName"/>): what each tenant asked for and consumed.</summary>
public sealed class GatewayMetrics
{
    /// <summary>The meter's name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Qwen2VL.Gateway";

    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _generationTokens;
    private readonly Counter<long> _requests;

    /// <param name="meterFactory">The host's meter factory (the meter's lifetime is the container's).</param>
    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _promptTokens = meter.CreateCounter<long>(GatewayMetricNames.TenantPromptTokens, "{token}", "Prompt tokens of completed chat requests by tenant.");
        _generationTokens = meter.CreateCounter<long>(GatewayMetricNames.TenantGenerationTokens, "{token}", "Generated tokens of completed chat requests by tenant.");
        _requests = meter.CreateCounter<long>(GatewayMetricNames.TenantRequests, "{request}", "Authenticated chat requests by tenant and outcome.");
    }

    /// <summary>A request that ran to its end: counts it and its tokens.</summary>
    public void RecordCompleted(string tenant, string model, int promptTokens, int generationTokens)
    {
        var tokenTags = new TagList
        {
            { GatewayMetricNames.TenantTag, tenant },
            { GatewayMetricNames.ModelTag, model },
        };
        _promptTokens.Add(promptTokens, tokenTags);
        _generationTokens.Add(generationTokens, tokenTags);
        RecordRequest(tenant, RequestOutcome.Success);
    }

    /// <summary>An authenticated request that did not complete.</summary>
    public void RecordRequest(string tenant, RequestOutcome outcome) =>
        _requests.Add(1, new TagList
        {
            { GatewayMetricNames.TenantTag, tenant },
            { GatewayMetricNames.OutcomeTag, OutcomeValue(outcome) },
        });

    private static string OutcomeValue(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Success => "success",
        RequestOutcome.Error => "error",
        RequestOutcome.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "unknown outcome"),
    };
}
