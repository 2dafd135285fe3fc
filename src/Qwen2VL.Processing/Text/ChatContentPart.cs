namespace Qwen2VL.Processing.Text;

/// <summary>
/// One part of a message's content, as the chat template sees it: a dictionary such as
/// <c>{"type": "text", "text": "..."}</c> or <c>{"type": "image", "image": "file:///a.png"}</c>. Any keys are kept,
/// because templates test for keys (<c>'image_url' in content</c>) as much as for the type.
/// </summary>
public sealed class ChatContentPart
{
    /// <summary>Creates a part from its fields.</summary>
    public ChatContentPart(IReadOnlyDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Fields = fields;
    }

    /// <summary>The part's fields, in order.</summary>
    public IReadOnlyDictionary<string, object?> Fields { get; }

    /// <summary>The <c>type</c> field, or null when the part has none.</summary>
    public string? Type => Fields.TryGetValue("type", out object? type) ? type as string : null;

    /// <summary>A text part: <c>{"type": "text", "text": text}</c>.</summary>
    public static ChatContentPart FromText(string text) => new(new Dictionary<string, object?> { ["type"] = "text", ["text"] = text });

    /// <summary>An image part: <c>{"type": "image"}</c>, with <c>"image": source</c> when given.</summary>
    public static ChatContentPart Image(string? source = null) => Media("image", source);

    /// <summary>A video part: <c>{"type": "video"}</c>, with <c>"video": source</c> when given.</summary>
    public static ChatContentPart Video(string? source = null) => Media("video", source);

    private static ChatContentPart Media(string type, string? source)
    {
        var fields = new Dictionary<string, object?> { ["type"] = type };
        if (source is not null)
        {
            fields[type] = source;
        }

        return new ChatContentPart(fields);
    }
}
