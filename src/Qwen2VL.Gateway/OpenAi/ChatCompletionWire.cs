using System.Text.Json.Serialization;

namespace Qwen2VL.Gateway.OpenAi;

// Response shapes of the OpenAI chat completions API, as the official clients read them.

public sealed record ChatCompletionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChoiceWire> Choices,
    [property: JsonPropertyName("usage")] UsageWire? Usage,
    [property: JsonPropertyName("system_fingerprint")] string? SystemFingerprint = null);

public sealed record ChoiceWire(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] MessageWire Message,
    [property: JsonPropertyName("logprobs")] LogprobsWire? Logprobs,
    [property: JsonPropertyName("finish_reason")] string FinishReason);

public sealed record MessageWire(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string? Content,
    [property: JsonPropertyName("tool_calls"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallWire>? ToolCalls = null,
    [property: JsonPropertyName("refusal")] string? Refusal = null);

public sealed record ToolCallWire(
    [property: JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonPropertyName("type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type,
    [property: JsonPropertyName("function")] FunctionCallWire Function,
    [property: JsonPropertyName("index"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Index = null);

public sealed record FunctionCallWire(
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonPropertyName("arguments")] string Arguments);

public sealed record UsageWire(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens,
    [property: JsonPropertyName("prompt_tokens_details")] PromptTokensDetailsWire PromptTokensDetails);

public sealed record PromptTokensDetailsWire([property: JsonPropertyName("cached_tokens")] int CachedTokens);

public sealed record LogprobsWire([property: JsonPropertyName("content")] IReadOnlyList<TokenLogprobWire> Content);

public sealed record TokenLogprobWire(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] float Logprob,
    [property: JsonPropertyName("bytes")] IReadOnlyList<int> Bytes,
    [property: JsonPropertyName("top_logprobs")] IReadOnlyList<TopLogprobWire> TopLogprobs);

public sealed record TopLogprobWire(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] float Logprob,
    [property: JsonPropertyName("bytes")] IReadOnlyList<int> Bytes);

public sealed record ChatCompletionChunk(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChunkChoiceWire> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UsageWire? Usage = null);

public sealed record ChunkChoiceWire(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("delta")] DeltaWire Delta,
    [property: JsonPropertyName("logprobs")] LogprobsWire? Logprobs,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

public sealed record DeltaWire(
    [property: JsonPropertyName("role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role = null,
    [property: JsonPropertyName("content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content = null,
    [property: JsonPropertyName("tool_calls"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCallWire>? ToolCalls = null);

public sealed record ErrorBodyWire([property: JsonPropertyName("error")] ErrorWire Error);

public sealed record ErrorWire(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);

public sealed record ModelListWire(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<ModelWire> Data);

public sealed record ModelWire(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy,
    [property: JsonPropertyName("max_model_len"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxModelLength = null);

/// <summary>
/// Source-generated serialization for the wire records (no reflection on the hot path). Use <see cref="Relaxed"/>:
/// it writes non-ASCII text as UTF-8 instead of \u escapes, as OpenAI and vLLM do (safe: bodies are JSON, not HTML).
/// </summary>
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ErrorBodyWire))]
[JsonSerializable(typeof(ModelListWire))]
[JsonSerializable(typeof(ModelWire))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
public sealed partial class OpenAiJsonContext : JsonSerializerContext
{
    /// <summary>The context with the relaxed encoder.</summary>
    public static OpenAiJsonContext Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
