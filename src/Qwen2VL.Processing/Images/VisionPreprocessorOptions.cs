using System.Text.Json;

namespace Qwen2VL.Processing.Images;

/// <summary>
/// The image processor settings of a checkpoint (<c>preprocessor_config.json</c>). The defaults are those of every
/// released Qwen2-VL checkpoint (2B, 7B, 72B).
/// </summary>
public sealed record VisionPreprocessorOptions
{
    /// <summary>Smallest pixel count an image is resized up to.</summary>
    public long MinPixels { get; init; } = 56 * 56;

    /// <summary>Largest pixel count an image is resized down to.</summary>
    public long MaxPixels { get; init; } = 28 * 28 * 16384;

    /// <summary>Side of a square patch in pixels.</summary>
    public int PatchSize { get; init; } = 14;

    /// <summary>Side of the square of patches the merger joins into one LLM token.</summary>
    public int MergeSize { get; init; } = 2;

    /// <summary>Frames per temporal patch; a still image is repeated this many times.</summary>
    public int TemporalPatchSize { get; init; } = 2;

    /// <summary>Per-channel mean (R, G, B) subtracted after scaling to [0, 1].</summary>
    public IReadOnlyList<float> ImageMean { get; init; } = [0.48145466f, 0.4578275f, 0.40821073f];

    /// <summary>Per-channel standard deviation (R, G, B) divided by after subtracting the mean.</summary>
    public IReadOnlyList<float> ImageStd { get; init; } = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>The side multiple every resized image has: patch size × merge size (28).</summary>
    public int Factor => PatchSize * MergeSize;

    /// <summary>Values per patch row of the pixel matrix: 3 × temporal × patch² (1176).</summary>
    public int PatchVectorLength => 3 * TemporalPatchSize * PatchSize * PatchSize;

    /// <summary>Reads <c>preprocessor_config.json</c> from a checkpoint folder.</summary>
    public static VisionPreprocessorOptions Load(string checkpointDirectory) =>
        FromJson(File.ReadAllText(Path.Combine(checkpointDirectory, "preprocessor_config.json")));

    /// <summary>
    /// Parses a preprocessor config. Pixel limits are read from top-level <c>min_pixels</c>/<c>max_pixels</c> or from
    /// <c>size</c> (<c>min_pixels</c>/<c>max_pixels</c> or <c>shortest_edge</c>/<c>longest_edge</c>, the newer spelling).
    /// Missing keys keep their defaults.
    /// </summary>
    public static VisionPreprocessorOptions FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var options = new VisionPreprocessorOptions();
        long? minPixels = Long(root, "min_pixels");
        long? maxPixels = Long(root, "max_pixels");
        if (root.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Object)
        {
            minPixels ??= Long(size, "min_pixels") ?? Long(size, "shortest_edge");
            maxPixels ??= Long(size, "max_pixels") ?? Long(size, "longest_edge");
        }

        options = options with
        {
            MinPixels = minPixels ?? options.MinPixels,
            MaxPixels = maxPixels ?? options.MaxPixels,
            PatchSize = (int?)Long(root, "patch_size") ?? options.PatchSize,
            MergeSize = (int?)Long(root, "merge_size") ?? options.MergeSize,
            TemporalPatchSize = (int?)Long(root, "temporal_patch_size") ?? options.TemporalPatchSize,
            ImageMean = Floats(root, "image_mean") ?? options.ImageMean,
            ImageStd = Floats(root, "image_std") ?? options.ImageStd,
        };
        options.Validate();
        return options;
    }

    /// <summary>Throws when the settings cannot describe a working processor.</summary>
    public void Validate()
    {
        if (PatchSize <= 0 || MergeSize <= 0 || TemporalPatchSize <= 0)
        {
            throw new ArgumentException(
                $"patch_size {PatchSize}, merge_size {MergeSize} and temporal_patch_size {TemporalPatchSize} must all be positive");
        }

        if (MinPixels <= 0 || MaxPixels < MinPixels)
        {
            throw new ArgumentException($"min_pixels {MinPixels} must be positive and at most max_pixels {MaxPixels}");
        }

        if (ImageMean.Count != 3 || ImageStd.Count != 3)
        {
            throw new ArgumentException(
                $"image_mean and image_std need 3 values (R, G, B); got {ImageMean.Count} and {ImageStd.Count}");
        }
    }

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    // Through double, as numpy casts the parsed Python float to float32; parsing straight to float could round differently.
    private static float[]? Floats(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()
            : null;
}
