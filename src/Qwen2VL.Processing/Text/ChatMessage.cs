using System.Text.Json;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// One message of a conversation as plain data: a role and content that is either a string or a list of parts
/// (text, image, video). Extra fields (<c>tool_calls</c>, <c>name</c>, ...) are passed to the template as they are.
/// </summary>
public sealed class ChatMessage
{
    /// <summary>A message whose content is a string.</summary>
    public ChatMessage(string role, string? text, IReadOnlyDictionary<string, object?>? extraFields = null)
    {
        ArgumentNullException.ThrowIfNull(role);
        Role = role;
        Text = text;
        ExtraFields = extraFields ?? new Dictionary<string, object?>();
    }

    /// <summary>A message whose content is a list of parts.</summary>
    public ChatMessage(string role, IReadOnlyList<ChatContentPart> parts, IReadOnlyDictionary<string, object?>? extraFields = null)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(parts);
        Role = role;
        Parts = parts;
        ExtraFields = extraFields ?? new Dictionary<string, object?>();
    }

    /// <summary><c>system</c>, <c>user</c>, <c>assistant</c>, <c>tool</c>, ...</summary>
    public string Role { get; }

    /// <summary>The content when it is a string (null when the content is a list of parts, or absent).</summary>
    public string? Text { get; }

    /// <summary>The content when it is a list of parts.</summary>
    public IReadOnlyList<ChatContentPart>? Parts { get; }

    /// <summary>Other message fields, given to the template unchanged.</summary>
    public IReadOnlyDictionary<string, object?> ExtraFields { get; }

    /// <summary>
    /// Reads a message in the Hugging Face / OpenAI shape: <c>{"role": ..., "content": "..." | [parts]}</c>.
    /// </summary>
    /// <exception cref="InvalidInputException">The JSON is not a message object (code <c>invalid_message</c>).</exception>
    public static ChatMessage FromJson(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("role", out JsonElement role) || role.ValueKind != JsonValueKind.String)
        {
            throw new InvalidInputException("invalid_message", "a message must be an object with a string 'role'");
        }

        var extra = new Dictionary<string, object?>();
        foreach (JsonProperty property in message.EnumerateObject())
        {
            if (property.Name is not ("role" or "content"))
            {
                extra[property.Name] = property.Value.Clone();
            }
        }

        if (!message.TryGetProperty("content", out JsonElement content) || content.ValueKind == JsonValueKind.Null)
        {
            return new ChatMessage(role.GetString()!, (string?)null, extra);
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return new ChatMessage(role.GetString()!, content.GetString(), extra);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException("invalid_message",
                $"a message's content must be a string or a list of parts, not {content.ValueKind.ToString().ToLowerInvariant()}");
        }

        var parts = new List<ChatContentPart>();
        foreach (JsonElement part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException("invalid_message", $"content part {parts.Count} must be an object");
            }

            parts.Add(new ChatContentPart(part.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())));
        }

        return new ChatMessage(role.GetString()!, parts, extra);
    }

    /// <summary>The message as the template sees it: <c>{"role", "content", ...extra}</c>.</summary>
    internal Dictionary<string, object?> ToTemplateValue()
    {
        var value = new Dictionary<string, object?> { ["role"] = Role };
        value["content"] = Parts is null ? Text : Parts.Select(p => (object?)p.Fields).ToList();
        foreach ((string key, object? extra) in ExtraFields)
        {
            value[key] = extra;
        }

        return value;
    }
}
