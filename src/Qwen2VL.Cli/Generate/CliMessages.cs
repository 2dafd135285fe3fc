using System.Text.Json;
using Qwen2VL.Processing.Media;

namespace Qwen2VL.Cli.Generate;

/// <summary>A conversation for the CLI: messages whose media are local files, data: URLs or http(s) URLs.</summary>
public sealed record CliMessage(string Role, IReadOnlyList<CliPart> Parts);

/// <summary>A piece of a CLI message.</summary>
public sealed record CliPart(string Kind, string? Text = null, string? Source = null)
{
    public static CliPart FromText(string text) => new("text", Text: text);
}

/// <summary>Builds CLI conversations from options or from an OpenAI-style messages file.</summary>
public static class CliMessages
{
    /// <summary>One user message: images and video first (as the reference processor expects), then the text.</summary>
    public static IReadOnlyList<CliMessage> FromPrompt(string prompt, IReadOnlyList<string> images, string? video)
    {
        var parts = images.Select(i => new CliPart("image", Source: i)).ToList();
        if (video is not null)
        {
            parts.Add(new CliPart("video", Source: video));
        }

        parts.Add(CliPart.FromText(prompt));
        return new[] { new CliMessage("user", parts) };
    }

    /// <summary>
    /// Reads OpenAI-style chat messages: content as a string, or parts of type <c>text</c>, <c>image_url</c>
    /// (<c>{"url": ...}</c> or a string) and <c>video</c> / <c>video_url</c>.
    /// </summary>
    public static IReadOnlyList<CliMessage> FromFile(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("messages", out var m) ? m : json.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: expected a JSON array of messages (or an object with \"messages\")");
        }

        var messages = new List<CliMessage>();
        int index = 0;
        foreach (var message in root.EnumerateArray())
        {
            string role = message.GetProperty("role").GetString() ?? throw new InvalidDataException($"{path}: messages[{index}].role is missing");
            var content = message.GetProperty("content");
            var parts = content.ValueKind == JsonValueKind.String
                ? new List<CliPart> { CliPart.FromText(content.GetString()!) }
                : content.EnumerateArray().Select(p => Part(p, path, index)).ToList();
            messages.Add(new CliMessage(role, parts));
            index++;
        }

        return messages;
    }

    private static CliPart Part(JsonElement part, string path, int index)
    {
        string type = part.GetProperty("type").GetString() ?? "";
        return type switch
        {
            "text" => CliPart.FromText(part.GetProperty("text").GetString() ?? ""),
            "image_url" or "image" => new CliPart("image", Source: Url(part, type)),
            "video_url" or "video" => new CliPart("video", Source: Url(part, type)),
            _ => throw new InvalidDataException($"{path}: messages[{index}] has a part of unknown type '{type}'"),
        };
    }

    private static string Url(JsonElement part, string field)
    {
        var value = part.GetProperty(field);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetProperty("url").GetString()!;
    }

    /// <summary>Loads a media source: a local file, or a data:/http(s) URL through the media fetcher's rules.</summary>
    public static async Task<byte[]> LoadAsync(string source, MediaFetcher fetcher, CancellationToken cancellationToken)
    {
        if (source.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || source.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var fetched = await fetcher.FetchAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false);
            return fetched.Data.ToArray();
        }

        return await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false);
    }
}
