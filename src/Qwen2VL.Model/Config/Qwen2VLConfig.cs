using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Qwen2VL.Model.Config;

/// <summary>
/// The model settings read from a Hugging Face <c>config.json</c> of a Qwen2-VL checkpoint: the text decoder at the top
/// level (or under <c>text_config</c> in newer files) and the vision tower under <c>vision_config</c>.
/// </summary>
public sealed record Qwen2VLConfig
{
    /// <summary>The only <c>model_type</c> this implementation accepts.</summary>
    public const string SupportedModelType = "qwen2_vl";

    /// <summary>Must be <see cref="SupportedModelType"/>.</summary>
    [JsonPropertyName("model_type")]
    public string? ModelType { get; init; }

    /// <summary>Decoder width H.</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; }

    /// <summary>Width of the SiLU-gated MLP.</summary>
    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers L.</summary>
    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; }

    /// <summary>Query heads.</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; }

    /// <summary>Key/value heads (grouped-query attention).</summary>
    [JsonPropertyName("num_key_value_heads")]
    public int NumKeyValueHeads { get; init; }

    /// <summary>Vocabulary rows of the embedding and the head.</summary>
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; }

    /// <summary>RMSNorm epsilon.</summary>
    [JsonPropertyName("rms_norm_eps")]
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>RoPE base θ.</summary>
    [JsonPropertyName("rope_theta")]
    public double RopeTheta { get; init; } = 1_000_000;

    /// <summary>Decoder activation; only "silu" exists for Qwen2-VL.</summary>
    [JsonPropertyName("hidden_act")]
    public string HiddenAct { get; init; } = "silu";

    /// <summary>Whether the head reuses <c>model.embed_tokens.weight</c> (no <c>lm_head.weight</c> in the checkpoint).</summary>
    [JsonPropertyName("tie_word_embeddings")]
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Longest context the model was trained for.</summary>
    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 32768;

    /// <summary>Whether sliding-window attention is on (it is off in every released Qwen2-VL).</summary>
    [JsonPropertyName("use_sliding_window")]
    public bool UseSlidingWindow { get; init; }

    /// <summary>Id of <c>&lt;|image_pad|&gt;</c>, replaced by image features.</summary>
    [JsonPropertyName("image_token_id")]
    public long ImageTokenId { get; init; } = 151655;

    /// <summary>Id of <c>&lt;|video_pad|&gt;</c>, replaced by video features.</summary>
    [JsonPropertyName("video_token_id")]
    public long VideoTokenId { get; init; } = 151656;

    /// <summary>Id of <c>&lt;|vision_start|&gt;</c>.</summary>
    [JsonPropertyName("vision_start_token_id")]
    public long VisionStartTokenId { get; init; } = 151652;

    /// <summary>Id of <c>&lt;|vision_end|&gt;</c>.</summary>
    [JsonPropertyName("vision_end_token_id")]
    public long VisionEndTokenId { get; init; } = 151653;

    /// <summary>The dtype the checkpoint was saved in (informational).</summary>
    [JsonPropertyName("torch_dtype")]
    public string? TorchDType { get; init; }

    /// <summary>M-RoPE settings.</summary>
    [JsonPropertyName("rope_scaling")]
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Vision tower settings.</summary>
    [JsonPropertyName("vision_config")]
    public VisionConfig? Vision { get; init; }

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore]
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Query heads per key/value head.</summary>
    [JsonIgnore]
    public int QueryGroups => NumAttentionHeads / NumKeyValueHeads;

    /// <summary>The validated <c>mrope_section</c> (temporal, height, width frequency bands).</summary>
    [JsonIgnore]
    public IReadOnlyList<int> MropeSection => RopeScaling?.MropeSection ?? throw new InvalidDataException("config has no rope_scaling.mrope_section");

    /// <summary>The validated vision settings.</summary>
    [JsonIgnore]
    public VisionConfig VisionSettings => Vision ?? throw new InvalidDataException("config has no vision_config");

    /// <summary>Reads and validates <c>config.json</c>; <paramref name="path"/> may be the file or its checkpoint folder.</summary>
    public static Qwen2VLConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"no config.json at {file}", file);
        }

        try
        {
            return Parse(File.ReadAllText(file));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    /// <summary>Parses and validates the text of a <c>config.json</c>.</summary>
    public static Qwen2VLConfig Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("config.json is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"config.json is not valid JSON: {e.Message}", e);
        }

        FlattenTextConfig(root);
        Qwen2VLConfig config;
        try
        {
            config = root.Deserialize<Qwen2VLConfig>() ?? throw new InvalidDataException("config.json is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"config.json has a value of the wrong type: {e.Message}", e);
        }

        config.Validate();
        return config;
    }

    /// <summary>
    /// Newer writers nest the decoder settings under <c>text_config</c>; lift them to the top level where the top
    /// level does not already define them, so both layouts read the same.
    /// </summary>
    private static void FlattenTextConfig(JsonObject root)
    {
        if (root["text_config"] is not JsonObject text)
        {
            return;
        }

        foreach (var (key, value) in text.ToList())
        {
            if (!root.ContainsKey(key) && value is not null)
            {
                root[key] = value.DeepClone();
            }
        }
    }

    private void Validate()
    {
        if (ModelType != SupportedModelType)
        {
            throw new InvalidDataException($"unsupported model_type '{ModelType ?? "(missing)"}': this implementation supports '{SupportedModelType}' only");
        }

        ConfigChecks.Positive(HiddenSize, "hidden_size");
        ConfigChecks.Positive(IntermediateSize, "intermediate_size");
        ConfigChecks.Positive(NumHiddenLayers, "num_hidden_layers");
        ConfigChecks.Positive(NumAttentionHeads, "num_attention_heads");
        ConfigChecks.Positive(NumKeyValueHeads, "num_key_value_heads");
        ConfigChecks.Positive(VocabSize, "vocab_size");
        ConfigChecks.Positive(RmsNormEps, "rms_norm_eps");
        ConfigChecks.Positive(RopeTheta, "rope_theta");
        if (HiddenAct != "silu")
        {
            throw new InvalidDataException($"hidden_act '{HiddenAct}' is not supported: Qwen2-VL uses silu");
        }

        if (HiddenSize % NumAttentionHeads != 0)
        {
            throw new InvalidDataException($"hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}");
        }

        if (HeadDim % 2 != 0)
        {
            throw new InvalidDataException($"head_dim {HeadDim} must be even for rotary embeddings");
        }

        if (NumAttentionHeads % NumKeyValueHeads != 0)
        {
            throw new InvalidDataException($"num_attention_heads {NumAttentionHeads} is not a multiple of num_key_value_heads {NumKeyValueHeads}");
        }

        if (UseSlidingWindow)
        {
            throw new InvalidDataException("use_sliding_window true is not supported: no released Qwen2-VL uses sliding-window attention");
        }

        ValidateRope();
        if (Vision is null)
        {
            throw new InvalidDataException("config has no vision_config");
        }

        Vision.Validate();
        if (Vision.HiddenSize != HiddenSize)
        {
            throw new InvalidDataException($"vision_config.hidden_size {Vision.HiddenSize} (merger output) differs from hidden_size {HiddenSize}");
        }
    }

    private void ValidateRope()
    {
        if (RopeScaling is null)
        {
            throw new InvalidDataException("config has no rope_scaling: Qwen2-VL needs {\"type\": \"mrope\", \"mrope_section\": [t, h, w]}");
        }

        string? type = RopeScaling.EffectiveType;
        if (type is not ("mrope" or "default"))
        {
            throw new InvalidDataException($"unsupported rope type '{type ?? "(missing)"}' in rope_scaling: expected 'mrope' (or 'default' with mrope_section)");
        }

        int[]? section = RopeScaling.MropeSection;
        if (section is null || section.Length != 3)
        {
            throw new InvalidDataException($"rope_scaling.mrope_section must list 3 band counts (temporal, height, width), got {(section is null ? "none" : $"[{string.Join(", ", section)}]")}");
        }

        if (section.Any(s => s <= 0) || section.Sum() != HeadDim / 2)
        {
            throw new InvalidDataException($"rope_scaling.mrope_section [{string.Join(", ", section)}] must be positive and sum to head_dim / 2 = {HeadDim / 2}");
        }
    }
}
