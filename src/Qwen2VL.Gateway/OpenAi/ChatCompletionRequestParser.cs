using System.Text.Json;
using Qwen2VL.Gateway.Validation;

namespace Qwen2VL.Gateway.OpenAi;

/// <summary>
/// Reads and validates a chat completion request body. Hand-written over <see cref="JsonDocument"/> rather than
/// deserialised into classes because OpenAI's schema is polymorphic (content is a string or a list of typed parts,
/// stop a string or a list, tool_choice a string or an object) and every refusal must name the exact field.
/// </summary>
public static class ChatCompletionRequestParser
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant", "tool" };

    public static ChatCompletionRequest Parse(ReadOnlySpan<byte> body, ChatRequestLimits limits)
    {
        // The reader checks string values but not property names, so a body with broken UTF-8 in a name would
        // otherwise be read as a request that lacks that field.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw OpenAiException.BadRequest("the request body is not valid UTF-8", code: "invalid_json");
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            document = JsonDocument.ParseValue(ref reader);
            // ParseValue stops after the first value; anything but whitespace after it makes the body invalid.
            if (reader.Read())
            {
                document.Dispose();
                throw OpenAiException.BadRequest($"the request body has content after its JSON object, at byte {reader.TokenStartIndex}", code: "invalid_json");
            }
        }
        catch (JsonException e)
        {
            throw OpenAiException.BadRequest($"the request body is not valid JSON: {e.Message}", code: "invalid_json");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw OpenAiException.BadRequest("the request body must be a JSON object", code: "invalid_json");
            }

            return ParseRoot(root, limits);
        }
    }

    private static ChatCompletionRequest ParseRoot(JsonElement root, ChatRequestLimits limits)
    {
        UnsupportedFields.Check(root);
        string model = RequiredString(root, "model");
        if (string.IsNullOrWhiteSpace(model))
        {
            throw OpenAiException.BadRequest("model must name a model (see GET /v1/models)", "model");
        }

        var messages = ParseMessages(Required(root, "messages"), limits);
        int? maxTokens = OptionalInt(root, "max_completion_tokens", SamplingRules.MaxTokens) ?? OptionalInt(root, "max_tokens", SamplingRules.MaxTokens);
        var streamOptions = Optional(root, "stream_options");
        bool stream = OptionalBool(root, "stream") ?? false;
        if (streamOptions is { } so && so.ValueKind != JsonValueKind.Object)
        {
            throw OpenAiException.BadRequest("stream_options must be an object", "stream_options");
        }

        bool includeUsage = streamOptions is { ValueKind: JsonValueKind.Object } o && (OptionalBool(o, "include_usage", "stream_options.include_usage") ?? false);
        if (streamOptions is not null && !stream)
        {
            throw OpenAiException.BadRequest("stream_options is only allowed when stream is true", "stream_options");
        }

        bool logprobs = OptionalBool(root, "logprobs") ?? false;
        int topLogprobs = OptionalInt(root, "top_logprobs", SamplingRules.TopLogprobs) ?? 0;
        SamplingRules.CheckTopLogprobs(logprobs, topLogprobs, "top_logprobs");
        int? topK = OptionalInt(root, "top_k", SamplingRules.TopK);
        var tools = ParseTools(root, limits);
        return new ChatCompletionRequest
        {
            Model = model,
            Messages = messages,
            MaxTokens = maxTokens,
            Temperature = OptionalFloat(root, "temperature", SamplingRules.Temperature),
            TopP = OptionalFloat(root, "top_p", SamplingRules.TopP),
            TopK = SamplingRules.NormalizeTopK(topK),
            MinP = OptionalFloat(root, "min_p", SamplingRules.MinP),
            RepetitionPenalty = OptionalFloat(root, "repetition_penalty", SamplingRules.RepetitionPenalty),
            PresencePenalty = OptionalFloat(root, "presence_penalty", SamplingRules.PresencePenalty) ?? 0,
            FrequencyPenalty = OptionalFloat(root, "frequency_penalty", SamplingRules.FrequencyPenalty) ?? 0,
            Seed = OptionalLong(root, "seed"),
            Stop = ParseStop(root, limits),
            N = OptionalInt(root, "n", new NumericRange(1, limits.MaxChoices)) ?? 1,
            Stream = stream,
            IncludeUsage = includeUsage,
            Logprobs = logprobs,
            TopLogprobs = topLogprobs,
            Tools = tools,
            ToolChoice = ParseToolChoice(root, tools),
            ResponseFormat = ParseResponseFormat(root),
            User = OptionalString(root, "user"),
            MediaOverrides = ParseMediaOverrides(root),
        };
    }

    private static IReadOnlyList<ChatMessage> ParseMessages(JsonElement element, ChatRequestLimits limits)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiException.BadRequest("messages must be an array of message objects", "messages");
        }

        int count = element.GetArrayLength();
        ConversationRules.CheckMessageCount(count, limits, "messages");
        var messages = new List<ChatMessage>(count);
        int index = 0;
        foreach (var item in element.EnumerateArray())
        {
            messages.Add(ParseMessage(item, $"messages[{index++}]", limits));
        }

        MediaRules.CheckCounts(messages, limits, "messages");
        return messages;
    }

    private static ChatMessage ParseMessage(JsonElement item, string path, ChatRequestLimits limits)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw OpenAiException.BadRequest($"{path} must be an object", path);
        }

        string role = RequiredString(item, "role", $"{path}.role");
        if (!Roles.Contains(role))
        {
            throw OpenAiException.BadRequest($"{path}.role '{role}' is not one of system, developer, user, assistant, tool", $"{path}.role");
        }

        role = role == "developer" ? "system" : role;
        var toolCalls = role == "assistant" ? ParseToolCalls(item, path) : null;
        string? toolCallId = role == "tool" ? RequiredString(item, "tool_call_id", $"{path}.tool_call_id") : null;
        var contentElement = Optional(item, "content");
        IReadOnlyList<ContentPart> content;
        if (contentElement is null || contentElement.Value.ValueKind == JsonValueKind.Null)
        {
            if (role != "assistant" || toolCalls is null || toolCalls.Count == 0)
            {
                throw OpenAiException.BadRequest($"{path}.content is required", $"{path}.content");
            }

            content = Array.Empty<ContentPart>();
        }
        else
        {
            content = ParseContent(contentElement.Value, $"{path}.content", role, limits);
        }

        return new ChatMessage(role, content, OptionalString(item, "name", $"{path}.name"), toolCalls, toolCallId);
    }

    private static IReadOnlyList<ContentPart> ParseContent(JsonElement content, string path, string role, ChatRequestLimits limits)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return new ContentPart[] { new TextPart(content.GetString()!) };
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiException.BadRequest($"{path} must be a string or an array of content parts", path);
        }

        var parts = new List<ContentPart>();
        int index = 0;
        foreach (var part in content.EnumerateArray())
        {
            string partPath = $"{path}[{index++}]";
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw OpenAiException.BadRequest($"{partPath} must be an object with a type", partPath);
            }

            string type = RequiredString(part, "type", $"{partPath}.type");
            ContentPart parsed = type switch
            {
                "text" or "input_text" => new TextPart(RequiredString(part, "text", $"{partPath}.text")),
                "image_url" => ParseImage(part, partPath),
                "video_url" => new VideoPart(ParseUrlObject(part, "video_url", partPath, out _), null),
                "video" => ParseFrameList(part, partPath, limits),
                _ => throw OpenAiException.BadRequest(
                    $"{partPath}.type '{type}' is not supported; use text, image_url, video_url or video", $"{partPath}.type"),
            };
            if (parsed is not TextPart && role != "user")
            {
                throw OpenAiException.BadRequest($"{partPath}: images and videos are only accepted in user messages, not in {role} messages", partPath);
            }

            parts.Add(parsed);
        }

        return parts;
    }

    private static ImagePart ParseImage(JsonElement part, string path)
    {
        string url = ParseUrlObject(part, "image_url", path, out var detail);
        if (detail is not null and not ("auto" or "low" or "high"))
        {
            throw OpenAiException.BadRequest($"{path}.image_url.detail '{detail}' must be auto, low or high", $"{path}.image_url.detail");
        }

        return new ImagePart(url, detail);
    }

    private static string ParseUrlObject(JsonElement part, string field, string path, out string? detail)
    {
        var value = Required(part, field, $"{path}.{field}");
        detail = null;
        string url = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Object => RequiredString(value, "url", $"{path}.{field}.url"),
            _ => throw OpenAiException.BadRequest($"{path}.{field} must be an object with a url", $"{path}.{field}"),
        };
        if (value.ValueKind == JsonValueKind.Object)
        {
            detail = OptionalString(value, "detail", $"{path}.{field}.detail");
        }

        MediaRules.CheckUrl(url, $"{path}.{field}.url");
        return url;
    }

    private static VideoPart ParseFrameList(JsonElement part, string path, ChatRequestLimits limits)
    {
        var frames = Required(part, "video", $"{path}.video");
        if (frames.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiException.BadRequest($"{path}.video must be a non-empty array of frame URLs", $"{path}.video");
        }

        MediaRules.CheckFrameCount(frames.GetArrayLength(), limits, $"{path}.video");

        var urls = new List<string>();
        int index = 0;
        foreach (var frame in frames.EnumerateArray())
        {
            string framePath = $"{path}.video[{index++}]";
            if (frame.ValueKind != JsonValueKind.String)
            {
                throw OpenAiException.BadRequest($"{framePath} must be a URL string", framePath);
            }

            MediaRules.CheckUrl(frame.GetString()!, framePath);
            urls.Add(frame.GetString()!);
        }

        return new VideoPart(null, urls);
    }

    private static IReadOnlyList<ToolCall>? ParseToolCalls(JsonElement message, string path)
    {
        var element = Optional(message, "tool_calls");
        if (element is null || element.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.Value.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiException.BadRequest($"{path}.tool_calls must be an array", $"{path}.tool_calls");
        }

        var calls = new List<ToolCall>();
        int index = 0;
        foreach (var call in element.Value.EnumerateArray())
        {
            string callPath = $"{path}.tool_calls[{index++}]";
            var function = Required(call, "function", $"{callPath}.function");
            calls.Add(new ToolCall(
                OptionalString(call, "id", $"{callPath}.id") ?? $"call_{index}",
                RequiredString(function, "name", $"{callPath}.function.name"),
                OptionalString(function, "arguments", $"{callPath}.function.arguments") ?? "{}"));
        }

        return calls;
    }

    private static IReadOnlyList<ToolDefinition> ParseTools(JsonElement root, ChatRequestLimits limits)
    {
        var element = Optional(root, "tools");
        if (element is null || element.Value.ValueKind == JsonValueKind.Null)
        {
            return Array.Empty<ToolDefinition>();
        }

        if (element.Value.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiException.BadRequest("tools must be an array", "tools");
        }

        if (element.Value.GetArrayLength() > limits.MaxTools)
        {
            throw OpenAiException.BadRequest($"tools has {element.Value.GetArrayLength()} entries; at most {limits.MaxTools} are allowed", "tools");
        }

        var tools = new List<ToolDefinition>();
        int index = 0;
        foreach (var tool in element.Value.EnumerateArray())
        {
            string path = $"tools[{index++}]";
            if (tool.ValueKind != JsonValueKind.Object || OptionalString(tool, "type", $"{path}.type") is not "function")
            {
                throw OpenAiException.BadRequest($"{path} must be an object of type function", $"{path}.type");
            }

            var function = Required(tool, "function", $"{path}.function");
            string name = RequiredString(function, "name", $"{path}.function.name");
            if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                throw OpenAiException.BadRequest($"{path}.function.name '{name}' must be 1 to 64 letters, digits, '_' or '-'", $"{path}.function.name");
            }

            var parameters = Optional(function, "parameters");
            if (parameters is { } p && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                throw OpenAiException.BadRequest($"{path}.function.parameters must be a JSON schema object", $"{path}.function.parameters");
            }

            tools.Add(new ToolDefinition(name, OptionalString(function, "description", $"{path}.function.description"),
                parameters is { ValueKind: JsonValueKind.Object } schema ? schema.GetRawText() : "{}"));
        }

        return tools;
    }

    private static ToolChoice ParseToolChoice(JsonElement root, IReadOnlyList<ToolDefinition> tools)
    {
        var element = Optional(root, "tool_choice");
        if (element is null || element.Value.ValueKind == JsonValueKind.Null)
        {
            return tools.Count == 0 ? ToolChoice.None : ToolChoice.Auto;
        }

        if (element.Value.ValueKind == JsonValueKind.String)
        {
            var choice = element.Value.GetString() switch
            {
                "none" => ToolChoice.None,
                "auto" => ToolChoice.Auto,
                "required" => ToolChoice.Required,
                var other => throw OpenAiException.BadRequest($"tool_choice '{other}' must be none, auto, required or a function object", "tool_choice"),
            };
            if (choice != ToolChoice.None && tools.Count == 0)
            {
                throw OpenAiException.BadRequest($"tool_choice '{choice.Mode}' needs tools", "tool_choice");
            }

            return choice;
        }

        var function = Required(element.Value, "function", "tool_choice.function");
        string name = RequiredString(function, "name", "tool_choice.function.name");
        if (!tools.Any(t => t.Name == name))
        {
            throw OpenAiException.BadRequest($"tool_choice names function '{name}', which is not among the tools", "tool_choice.function.name");
        }

        return new ToolChoice("function", name);
    }

    private static string ParseResponseFormat(JsonElement root)
    {
        var element = Optional(root, "response_format");
        if (element is null || element.Value.ValueKind == JsonValueKind.Null)
        {
            return "text";
        }

        string type = RequiredString(element.Value, "type", "response_format.type");
        return type is "text" or "json_object" or "json_schema"
            ? type
            : throw OpenAiException.BadRequest($"response_format.type '{type}' must be text, json_object or json_schema", "response_format.type");
    }

    private static MediaProcessingOverrides ParseMediaOverrides(JsonElement root)
    {
        var element = Optional(root, "mm_processor_kwargs");
        if (element is null || element.Value.ValueKind == JsonValueKind.Null)
        {
            return MediaProcessingOverrides.None;
        }

        if (element.Value.ValueKind != JsonValueKind.Object)
        {
            throw OpenAiException.BadRequest("mm_processor_kwargs must be an object", "mm_processor_kwargs");
        }

        var e = element.Value;
        long? minPixels = OptionalLong(e, "min_pixels", "mm_processor_kwargs.min_pixels");
        long? maxPixels = OptionalLong(e, "max_pixels", "mm_processor_kwargs.max_pixels");
        MediaRules.CheckPixelBudget(minPixels, maxPixels, "mm_processor_kwargs");
        double? fps = OptionalFloat(e, "fps", MediaRules.Fps, "mm_processor_kwargs.fps");
        int? maxFrames = OptionalInt(e, "max_frames", MediaRules.MaxFrames, "mm_processor_kwargs.max_frames");
        return new MediaProcessingOverrides(minPixels, maxPixels, fps, maxFrames);
    }

    private static IReadOnlyList<string> ParseStop(JsonElement root, ChatRequestLimits limits)
    {
        var element = Optional(root, "stop");
        if (element is null || element.Value.ValueKind == JsonValueKind.Null)
        {
            return Array.Empty<string>();
        }

        var stops = element.Value.ValueKind switch
        {
            JsonValueKind.String => new List<string> { element.Value.GetString()! },
            JsonValueKind.Array => element.Value.EnumerateArray().Select((s, i) => s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : throw OpenAiException.BadRequest($"stop[{i}] must be a string", $"stop[{i}]")).ToList(),
            _ => throw OpenAiException.BadRequest("stop must be a string or an array of strings", "stop"),
        };
        SamplingRules.CheckStops(stops, limits, "stop");
        return stops;
    }

    private static JsonElement Required(JsonElement obj, string name, string? path = null)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw OpenAiException.BadRequest($"{path ?? name} is required", path ?? name, "missing_required_parameter");
        }

        return value;
    }

    private static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? value : null;

    private static string RequiredString(JsonElement obj, string name, string? path = null)
    {
        var value = Required(obj, name, path);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw OpenAiException.BadRequest($"{path ?? name} must be a string", path ?? name);
    }

    private static string? OptionalString(JsonElement obj, string name, string? path = null)
    {
        var value = Optional(obj, name);
        return value switch
        {
            null => null,
            { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } v => v.GetString(),
            _ => throw OpenAiException.BadRequest($"{path ?? name} must be a string", path ?? name),
        };
    }

    private static bool? OptionalBool(JsonElement obj, string name, string? path = null)
    {
        var value = Optional(obj, name);
        return value switch
        {
            null => null,
            { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw OpenAiException.BadRequest($"{path ?? name} must be true or false", path ?? name),
        };
    }

    private static int? OptionalInt(JsonElement obj, string name, NumericRange range, string? path = null)
    {
        var value = Optional(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt64(out long number))
        {
            throw OpenAiException.BadRequest($"{path ?? name} must be an integer", path ?? name);
        }

        range.Check(number, path ?? name);
        return (int)number;
    }

    private static long? OptionalLong(JsonElement obj, string name, string? path = null)
    {
        var value = Optional(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt64(out long number)
            ? number
            : throw OpenAiException.BadRequest($"{path ?? name} must be an integer", path ?? name);
    }

    private static float? OptionalFloat(JsonElement obj, string name, NumericRange range, string? path = null)
    {
        var value = Optional(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetDouble(out double number) || !double.IsFinite(number))
        {
            throw OpenAiException.BadRequest($"{path ?? name} must be a number", path ?? name);
        }

        range.Check(number, path ?? name);
        return (float)number;
    }
}
