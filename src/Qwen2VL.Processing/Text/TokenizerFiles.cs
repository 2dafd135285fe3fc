using System.Text.Json;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// What a checkpoint folder says about its tokenizer: the BPE vocabulary and merges, the added tokens, and the token
/// strings named in <c>tokenizer_config.json</c> (EOS, padding). Read from <c>tokenizer.json</c> when present,
/// otherwise from <c>vocab.json</c> + <c>merges.txt</c> + <c>tokenizer_config.json</c>.
/// </summary>
internal sealed class TokenizerFiles
{
    public required Dictionary<string, int> Vocabulary { get; init; }

    /// <summary>Merges as "left right", in rank order.</summary>
    public required List<string> Merges { get; init; }

    public required List<AddedToken> AddedTokens { get; init; }

    public string? EosToken { get; init; }

    public string? PadToken { get; init; }

    /// <summary>EOS ids from <c>generation_config.json</c> (an id or a list); empty when the file does not say.</summary>
    public required List<int> GenerationEosIds { get; init; }

    public static TokenizerFiles Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"checkpoint folder '{folder}' does not exist");
        }

        using JsonDocument? config = ReadJsonIfExists(Path.Combine(folder, "tokenizer_config.json"));
        using JsonDocument? generation = ReadJsonIfExists(Path.Combine(folder, "generation_config.json"));
        using JsonDocument? tokenizerJson = ReadJsonIfExists(Path.Combine(folder, "tokenizer.json"));

        Dictionary<string, int> vocabulary;
        List<string> merges;
        var added = new Dictionary<int, AddedToken>();
        if (tokenizerJson is not null)
        {
            JsonElement model = tokenizerJson.RootElement.GetProperty("model");
            string type = model.TryGetProperty("type", out JsonElement t) ? t.GetString() ?? "" : "BPE";
            if (type != "BPE")
            {
                throw new InvalidDataException($"tokenizer.json in '{folder}' has a {type} model; only BPE is supported");
            }

            vocabulary = ReadVocabulary(model.GetProperty("vocab"));
            merges = ReadMerges(model.GetProperty("merges"));
            if (tokenizerJson.RootElement.TryGetProperty("added_tokens", out JsonElement list))
            {
                foreach (JsonElement item in list.EnumerateArray())
                {
                    AddedToken token = ReadAddedToken(item.GetProperty("id").GetInt32(), item);
                    added[token.Id] = token;
                }
            }
        }
        else
        {
            string vocabPath = Path.Combine(folder, "vocab.json");
            string mergesPath = Path.Combine(folder, "merges.txt");
            if (!File.Exists(vocabPath) || !File.Exists(mergesPath))
            {
                throw new FileNotFoundException(
                    $"checkpoint folder '{folder}' has neither tokenizer.json nor vocab.json + merges.txt");
            }

            using (JsonDocument vocab = JsonDocument.Parse(File.ReadAllBytes(vocabPath)))
            {
                vocabulary = ReadVocabulary(vocab.RootElement);
            }

            merges = File.ReadLines(mergesPath)
                .Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal))
                .ToList();
        }

        // tokenizer_config.json's added_tokens_decoder is authoritative for flags when both files list a token.
        if (config is not null && config.RootElement.TryGetProperty("added_tokens_decoder", out JsonElement decoder))
        {
            foreach (JsonProperty entry in decoder.EnumerateObject())
            {
                AddedToken token = ReadAddedToken(int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture), entry.Value);
                added[token.Id] = token;
            }
        }

        return new TokenizerFiles
        {
            Vocabulary = vocabulary,
            Merges = merges,
            AddedTokens = added.Values.OrderBy(t => t.Id).ToList(),
            EosToken = ReadTokenString(config, "eos_token"),
            PadToken = ReadTokenString(config, "pad_token"),
            GenerationEosIds = ReadIds(generation, "eos_token_id"),
        };
    }

    private static JsonDocument? ReadJsonIfExists(string path) =>
        File.Exists(path) ? JsonDocument.Parse(File.ReadAllBytes(path)) : null;

    private static Dictionary<string, int> ReadVocabulary(JsonElement vocab)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            result[entry.Name] = entry.Value.GetInt32();
        }

        return result;
    }

    // Older files store "left right" strings, newer ones ["left", "right"] pairs.
    private static List<string> ReadMerges(JsonElement merges)
    {
        var result = new List<string>(merges.GetArrayLength());
        foreach (JsonElement merge in merges.EnumerateArray())
        {
            result.Add(merge.ValueKind == JsonValueKind.Array
                ? $"{merge[0].GetString()} {merge[1].GetString()}"
                : merge.GetString() ?? throw new InvalidDataException("a merge entry is null"));
        }

        return result;
    }

    private static AddedToken ReadAddedToken(int id, JsonElement item) => new(
        id,
        item.GetProperty("content").GetString() ?? throw new InvalidDataException($"added token {id} has no content"),
        Flag(item, "special"),
        Flag(item, "lstrip"),
        Flag(item, "rstrip"),
        Flag(item, "single_word"));

    private static bool Flag(JsonElement item, string name) =>
        item.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;

    // A token setting is a string or an object with "content" (AddedToken serialised), or null.
    private static string? ReadTokenString(JsonDocument? config, string name)
    {
        if (config is null || !config.RootElement.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out JsonElement content) => content.GetString(),
            _ => null,
        };
    }

    private static List<int> ReadIds(JsonDocument? document, string name)
    {
        if (document is null || !document.RootElement.TryGetProperty(name, out JsonElement value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => [value.GetInt32()],
            JsonValueKind.Array => value.EnumerateArray().Select(v => v.GetInt32()).ToList(),
            _ => [],
        };
    }
}
