using System.Text.Json.Serialization;

namespace Qwen2VL.Model.Config;

/// <summary>
/// The <c>rope_scaling</c> block. Qwen2-VL writes <c>{"type": "mrope", "mrope_section": [t, h, w]}</c>; newer
/// writers use <c>rope_type</c> and may say "default". Both mean plain RoPE over head_dim whose frequency bands are
/// split between the temporal, height and width position rows.
/// </summary>
public sealed record RopeScaling
{
    /// <summary>The legacy key for the rope type.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>The current key for the rope type.</summary>
    [JsonPropertyName("rope_type")]
    public string? RopeType { get; init; }

    /// <summary>Frequency bands given to the temporal, height and width rows; sums to head_dim / 2.</summary>
    [JsonPropertyName("mrope_section")]
    public int[]? MropeSection { get; init; }

    /// <summary>The effective rope type: <see cref="RopeType"/> when present, else <see cref="Type"/>.</summary>
    [JsonIgnore]
    public string? EffectiveType => RopeType ?? Type;
}
