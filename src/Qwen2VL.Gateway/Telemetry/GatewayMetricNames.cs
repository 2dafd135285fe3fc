namespace Qwen2VL.Gateway.Telemetry;

/// <summary>Instrument and tag names of <see cref="GatewayMetrics"/>: per-tenant usage, for quotas and billing.</summary>
public static class GatewayMetricNames
{
    /// <summary>Counter: prompt tokens of completed chat requests (once per request, however many choices).</summary>
    public const string TenantPromptTokens = "qwen2vl_tenant_prompt_tokens_total";

    /// <summary>Counter: generated tokens of completed chat requests (all choices).</summary>
    public const string TenantGenerationTokens = "qwen2vl_tenant_generation_tokens_total";

    /// <summary>Counter: authenticated chat requests, tagged <see cref="OutcomeTag"/>.</summary>
    public const string TenantRequests = "qwen2vl_tenant_requests_total";

    /// <summary>The tenant id (authenticated, so the tag's cardinality is bounded by the tenant table).</summary>
    public const string TenantTag = "tenant";

    /// <summary>The served model (set on token counters only, once the backend has accepted the name).</summary>
    public const string ModelTag = "model_name";

    /// <summary>success, error or cancelled.</summary>
    public const string OutcomeTag = "outcome";
}
