using System.Text.Json;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// The two facts of a checkpoint's config.json that decide which tensors a stage needs: how many decoder layers
/// there are (the last stage holds the final norm and the LM head) and whether the LM head reuses the embedding.
/// </summary>
/// <param name="NumHiddenLayers">The decoder's layer count.</param>
/// <param name="TieWordEmbeddings">Whether <c>lm_head</c> is the embedding matrix (so the last stage needs it too).</param>
public sealed record TextModelShape(int NumHiddenLayers, bool TieWordEmbeddings)
{
    /// <summary>Reads config.json; newer configs nest the decoder's settings under <c>text_config</c>.</summary>
    public static TextModelShape Load(string configPath)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(configPath));
        var root = json.RootElement;
        int? layers = IntProperty(root, "num_hidden_layers")
            ?? (root.TryGetProperty("text_config", out var text) ? IntProperty(text, "num_hidden_layers") : null);
        bool tied = BoolProperty(root, "tie_word_embeddings")
            ?? (root.TryGetProperty("text_config", out text) ? BoolProperty(text, "tie_word_embeddings") : null)
            ?? false;
        return layers is { } count
            ? new TextModelShape(count, tied)
            : throw new InvalidDataException($"{configPath} has no num_hidden_layers (at the top or under text_config)");
    }

    private static int? IntProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out int number) ? number : null;

    private static bool? BoolProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
