using System.Text.Json.Serialization;

namespace Qwen2VL.Model.Config;

/// <summary>
/// The vision tower settings (<c>vision_config</c> in config.json). The released checkpoints name the embedding
/// width <c>embed_dim</c> and the merger's output width <c>hidden_size</c>, which must equal the decoder's hidden size.
/// </summary>
public sealed record VisionConfig
{
    /// <summary>Number of ViT blocks.</summary>
    [JsonPropertyName("depth")]
    public int Depth { get; init; }

    /// <summary>ViT width E.</summary>
    [JsonPropertyName("embed_dim")]
    public int EmbedDim { get; init; }

    /// <summary>Attention heads per ViT block.</summary>
    [JsonPropertyName("num_heads")]
    public int NumHeads { get; init; }

    /// <summary>MLP width as a multiple of <see cref="EmbedDim"/>.</summary>
    [JsonPropertyName("mlp_ratio")]
    public double MlpRatio { get; init; } = 4;

    /// <summary>Output width of the patch merger (the decoder's hidden size).</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; }

    /// <summary>Image channels.</summary>
    [JsonPropertyName("in_chans")]
    public int InChannels { get; init; } = 3;

    /// <summary>Spatial patch side in pixels. Older files call it <c>spatial_patch_size</c>, newer ones <c>patch_size</c>.</summary>
    [JsonPropertyName("patch_size")]
    public int PatchSize { get; init; } = 14;

    /// <summary>Frames per temporal patch (a still image is repeated to fill it).</summary>
    [JsonPropertyName("temporal_patch_size")]
    public int TemporalPatchSize { get; init; } = 2;

    /// <summary>Side of the square of patches the merger folds into one LLM token.</summary>
    [JsonPropertyName("spatial_merge_size")]
    public int SpatialMergeSize { get; init; } = 2;

    /// <summary>
    /// The MLP activation. The released config.json files omit it, and the reference then uses QuickGELU.
    /// </summary>
    [JsonPropertyName("hidden_act")]
    public string HiddenAct { get; init; } = "quick_gelu";

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore]
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>Hidden width of the ViT MLP.</summary>
    [JsonIgnore]
    public int MlpHiddenDim => checked((int)(EmbedDim * MlpRatio));

    /// <summary>Length of one flattened patch: channels × temporal × patch × patch (1176 for the released models).</summary>
    [JsonIgnore]
    public int PatchVectorLength => InChannels * TemporalPatchSize * PatchSize * PatchSize;

    /// <summary>Patches folded into one LLM token (merge²).</summary>
    [JsonIgnore]
    public int MergeUnit => SpatialMergeSize * SpatialMergeSize;

    internal void Validate()
    {
        ConfigChecks.Positive(Depth, "vision_config.depth");
        ConfigChecks.Positive(EmbedDim, "vision_config.embed_dim");
        ConfigChecks.Positive(NumHeads, "vision_config.num_heads");
        ConfigChecks.Positive(HiddenSize, "vision_config.hidden_size");
        ConfigChecks.Positive(PatchSize, "vision_config.patch_size");
        ConfigChecks.Positive(TemporalPatchSize, "vision_config.temporal_patch_size");
        ConfigChecks.Positive(SpatialMergeSize, "vision_config.spatial_merge_size");
        if (EmbedDim % NumHeads != 0)
        {
            throw new InvalidDataException($"vision_config.embed_dim {EmbedDim} is not a multiple of num_heads {NumHeads}");
        }

        // The 2-D rotary splits each head into a height half and a width half, each a rotate-half pair.
        if (HeadDim % 4 != 0)
        {
            throw new InvalidDataException($"vision head_dim {HeadDim} (embed_dim {EmbedDim} / num_heads {NumHeads}) must be a multiple of 4 for the 2-D rotary embedding");
        }

        if (HiddenAct != "quick_gelu")
        {
            throw new InvalidDataException($"vision_config.hidden_act '{HiddenAct}' is not supported: Qwen2-VL uses quick_gelu");
        }
    }
}
