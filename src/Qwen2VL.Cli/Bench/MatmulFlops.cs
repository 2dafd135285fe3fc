using Qwen2VL.Model.Config;

namespace Qwen2VL.Cli.Bench;

/// <summary>
/// Matrix-multiply FLOPs (2 per multiply-add) of the model's passes, counted from the config: the work a perfect
/// implementation cannot avoid. Divided by the GEMM rate measured in the same run it gives each pass's matmul floor.
/// Elementwise work (norms, activations, softmax, rotary) is not counted: the floors are deliberately strict.
/// </summary>
internal static class MatmulFlops
{
    /// <summary>The vision tower on one image of <paramref name="gridH"/> × <paramref name="gridW"/> patches (one temporal patch).</summary>
    public static double VisionTower(VisionConfig vision, int gridH, int gridW)
    {
        ArgumentNullException.ThrowIfNull(vision);
        double n = (double)gridH * gridW;
        double e = vision.EmbedDim;
        double patchEmbed = 2 * n * vision.PatchVectorLength * e;
        // qkv (E→3E), proj (E→E), fc1 (E→mlp), fc2 (mlp→E), plus the two attention products q·kᵀ and p·v (N² · E each).
        double perBlock = (2 * n * e * ((3 * e) + e + (2 * vision.MlpHiddenDim))) + (4 * n * n * e);
        double merged = n / vision.MergeUnit;
        double width = e * vision.MergeUnit;
        double merger = (2 * merged * width * width) + (2 * merged * width * vision.HiddenSize);
        return patchEmbed + (vision.Depth * perBlock) + merger;
    }

    /// <summary>Prefill of <paramref name="tokens"/> text tokens from an empty cache, with the head on the last row only.</summary>
    public static double TextPrefill(Qwen2VLConfig config, int tokens)
    {
        ArgumentNullException.ThrowIfNull(config);
        double t = tokens;
        double h = config.HiddenSize;
        double kv = config.NumKeyValueHeads * config.HeadDim;
        double perLayerWeights = (h * h) + (2 * h * kv) + (h * h) + (3 * h * config.IntermediateSize);
        // Causal attention: each query sees on average (t + 1) / 2 keys; q·kᵀ and p·v over all query heads.
        double attention = 2 * 2 * t * ((t + 1) / 2) * h;
        double head = 2 * h * config.VocabSize;
        return (config.NumHiddenLayers * ((2 * t * perLayerWeights) + attention)) + head;
    }
}
