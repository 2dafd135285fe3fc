using System.Text.Json.Serialization;

namespace Qwen2VL.Server.Tenants;

/// <summary>The body of <c>GET /v1/usage</c>: the caller's totals, current minute and limits.</summary>
public sealed record UsageWire(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("tenant")] string Tenant,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
    [property: JsonPropertyName("cached_prompt_tokens")] long CachedPromptTokens,
    [property: JsonPropertyName("current_minute")] CurrentMinuteWire CurrentMinute,
    [property: JsonPropertyName("limits")] LimitsWire Limits);

/// <summary>What counts against the per-minute and stream limits now.</summary>
public sealed record CurrentMinuteWire(
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("open_streams")] int OpenStreams);

/// <summary>The tenant's limits.</summary>
public sealed record LimitsWire(
    [property: JsonPropertyName("requests_per_minute")] int RequestsPerMinute,
    [property: JsonPropertyName("tokens_per_minute")] int TokensPerMinute,
    [property: JsonPropertyName("concurrent_streams")] int ConcurrentStreams,
    [property: JsonPropertyName("max_images_per_request")] int MaxImagesPerRequest,
    [property: JsonPropertyName("max_context_tokens")] int MaxContextTokens);

/// <summary>Source-generated serialization of the usage body.</summary>
[JsonSerializable(typeof(UsageWire))]
public sealed partial class UsageJsonContext : JsonSerializerContext;
