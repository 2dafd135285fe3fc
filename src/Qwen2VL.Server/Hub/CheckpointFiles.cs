using Qwen2VL.Model.Stages;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// The files of a Qwen2-VL checkpoint that serving needs: configs, tokenizer, and the weights (one
/// <c>model.safetensors</c>, or an index and the shards it names). Other repo files (README, LICENSE, other
/// weight formats) are never fetched.
/// </summary>
public static class CheckpointFiles
{
    /// <summary>The model config.</summary>
    public const string Config = "config.json";

    /// <summary>All weights in one file.</summary>
    public const string SingleWeights = "model.safetensors";

    /// <summary>The index of a sharded checkpoint.</summary>
    public const string WeightsIndex = "model.safetensors.index.json";

    /// <summary>Files without which the model cannot be served.</summary>
    public static IReadOnlyList<string> Required { get; } =
        [Config, "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json"];

    /// <summary>Files fetched when the repo has them.</summary>
    public static IReadOnlyList<string> Optional { get; } =
        ["generation_config.json", "vocab.json", "merges.txt", "chat_template.json"];

    /// <summary>
    /// The small files to have before the weights: the required ones (whether <paramref name="available"/> has
    /// them or not, so callers can name what is missing), the optional ones present, and the index when the
    /// weights are sharded.
    /// </summary>
    public static IReadOnlyList<string> ConfigFiles(Func<string, bool> available) =>
        [.. Required, .. Optional.Where(available), .. WeightsEntry(available) == WeightsIndex ? [WeightsIndex] : Array.Empty<string>()];

    /// <summary><see cref="SingleWeights"/> or <see cref="WeightsIndex"/>, whichever is present (the single file first, as transformers does), or null.</summary>
    public static string? WeightsEntry(Func<string, bool> available) =>
        available(SingleWeights) ? SingleWeights : available(WeightsIndex) ? WeightsIndex : null;

    /// <summary>
    /// The weight files to have: the single file, or the shards the index in <paramref name="snapshotFolder"/>
    /// names; with <paramref name="layers"/>, only the shards holding that stage's tensors (a single file cannot
    /// be split, so it is always fetched whole).
    /// </summary>
    public static IReadOnlyList<string> WeightFiles(string weightsEntry, string snapshotFolder, LayerRange? layers)
    {
        if (weightsEntry == SingleWeights)
        {
            return [SingleWeights];
        }

        var index = SafetensorsIndex.Load(Path.Combine(snapshotFolder, WeightsIndex));
        if (layers is not { } range)
        {
            return index.ShardsFor(_ => true);
        }

        var shape = TextModelShape.Load(Path.Combine(snapshotFolder, Config));
        if (range.End > shape.NumHiddenLayers)
        {
            throw new ArgumentException($"layer range {range} goes past the model's {shape.NumHiddenLayers} decoder layers", nameof(layers));
        }

        return index.ShardsFor(new StageTensorFilter(range, shape).Needs);
    }
}
