namespace Qwen2VL.Gateway.Telemetry;

/// <summary>
/// Span attribute names of the OpenTelemetry GenAI semantic conventions used by the gateway, plus this project's own
/// under <c>qwen2vl.</c> where the conventions have none.
/// </summary>
public static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestTopK = "gen_ai.request.top_k";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string RequestChoiceCount = "gen_ai.request.choice.count";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string TenantId = "qwen2vl.tenant.id";
    public const string Stream = "qwen2vl.stream";

    /// <summary>The provider name this project reports: the serving system, not a hosted vendor.</summary>
    public const string Provider = "qwen2vl";
}
