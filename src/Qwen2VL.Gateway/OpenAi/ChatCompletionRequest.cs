namespace Qwen2VL.Gateway.OpenAi;

/// <summary>A validated <c>POST /v1/chat/completions</c> request.</summary>
public sealed record ChatCompletionRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary><c>max_completion_tokens</c>, else <c>max_tokens</c>; null lets the server pick (the rest of the context).</summary>
    public int? MaxTokens { get; init; }

    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public float? MinP { get; init; }

    public float? RepetitionPenalty { get; init; }

    public float PresencePenalty { get; init; }

    public float FrequencyPenalty { get; init; }

    public long? Seed { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = Array.Empty<string>();

    public int N { get; init; } = 1;

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    public bool Logprobs { get; init; }

    public int TopLogprobs { get; init; }

    public IReadOnlyList<ToolDefinition> Tools { get; init; } = Array.Empty<ToolDefinition>();

    public ToolChoice ToolChoice { get; init; } = ToolChoice.Auto;

    /// <summary>text, json_object or json_schema.</summary>
    public string ResponseFormat { get; init; } = "text";

    public string? User { get; init; }

    public MediaProcessingOverrides MediaOverrides { get; init; } = MediaProcessingOverrides.None;
}

/// <summary>One message of the conversation.</summary>
/// <param name="Role">system, user, assistant or tool (developer is read as system).</param>
public sealed record ChatMessage(
    string Role,
    IReadOnlyList<ContentPart> Content,
    string? Name = null,
    IReadOnlyList<ToolCall>? ToolCalls = null,
    string? ToolCallId = null);

/// <summary>A piece of message content.</summary>
public abstract record ContentPart;

public sealed record TextPart(string Text) : ContentPart;

/// <param name="Url">A data: or http(s): URL.</param>
/// <param name="Detail">OpenAI's detail hint (auto, low, high); low caps the pixel budget.</param>
public sealed record ImagePart(string Url, string? Detail) : ContentPart;

/// <summary>A video by URL, or as a list of frame URLs.</summary>
public sealed record VideoPart(string? Url, IReadOnlyList<string>? FrameUrls) : ContentPart;

/// <summary>A function the model may call.</summary>
/// <param name="ParametersJson">The JSON schema of its arguments, as sent.</param>
public sealed record ToolDefinition(string Name, string? Description, string ParametersJson);

/// <summary>A call the assistant made (in history) or makes (in a response).</summary>
/// <param name="ArgumentsJson">The arguments as a JSON text, as OpenAI sends them.</param>
public sealed record ToolCall(string Id, string Name, string ArgumentsJson);

/// <summary><c>tool_choice</c>: none, auto, required, or one named function.</summary>
public sealed record ToolChoice(string Mode, string? FunctionName = null)
{
    public static readonly ToolChoice Auto = new("auto");
    public static readonly ToolChoice None = new("none");
    public static readonly ToolChoice Required = new("required");
}

/// <summary>Per-request overrides of the server's media defaults (<c>mm_processor_kwargs</c>).</summary>
public sealed record MediaProcessingOverrides(long? MinPixels, long? MaxPixels, double? Fps, int? MaxFrames)
{
    public static readonly MediaProcessingOverrides None = new(null, null, null, null);
}
