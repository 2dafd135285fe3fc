using System.Text.Json;

namespace Qwen2VL.Processing.Prompt;

/// <summary>
/// The special token ids that mark vision content in a prompt (from the checkpoint's <c>config.json</c>).
/// The defaults are those of every released Qwen2-VL checkpoint.
/// </summary>
public sealed record VisionTokenIds
{
    /// <summary><c>&lt;|image_pad|&gt;</c>: one per LLM token of an image.</summary>
    public long ImagePad { get; init; } = 151655;

    /// <summary><c>&lt;|video_pad|&gt;</c>: one per LLM token of a video.</summary>
    public long VideoPad { get; init; } = 151656;

    /// <summary><c>&lt;|vision_start|&gt;</c>, which precedes every image or video block.</summary>
    public long VisionStart { get; init; } = 151652;

    /// <summary>Reads <c>image_token_id</c>, <c>video_token_id</c> and <c>vision_start_token_id</c> from config.json text.</summary>
    public static VisionTokenIds FromConfigJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var ids = new VisionTokenIds();
        return ids with
        {
            ImagePad = Long(root, "image_token_id") ?? ids.ImagePad,
            VideoPad = Long(root, "video_token_id") ?? ids.VideoPad,
            VisionStart = Long(root, "vision_start_token_id") ?? ids.VisionStart,
        };
    }

    /// <summary>Reads the ids from <c>config.json</c> in a checkpoint folder.</summary>
    public static VisionTokenIds Load(string checkpointDirectory) =>
        FromConfigJson(File.ReadAllText(Path.Combine(checkpointDirectory, "config.json")));

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
