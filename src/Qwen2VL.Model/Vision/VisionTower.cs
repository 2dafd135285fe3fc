using Qwen2VL.Model.Config;
using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// The Qwen2-VL vision tower (<c>visual.*</c>): patch embedding, 2-D rotary ViT blocks attending within each image or
/// video frame, and the patch merger. Turns pixel_values [N, 1176] into LLM features [N / 4, H].
/// </summary>
public sealed class VisionTower : nn.Module
{
    private readonly VisionConfig _config;
    private readonly PatchEmbedding _patchEmbed;
    private readonly IndexedModules<VisionBlock> _blocks;
    private readonly PatchMerger _merger;

    /// <summary>Creates an uninitialised tower.</summary>
    public VisionTower(VisionConfig config, ModelPlacement placement)
        : base(nameof(VisionTower))
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _patchEmbed = new PatchEmbedding(config, placement);
        _blocks = new IndexedModules<VisionBlock>(0, config.Depth, _ => new VisionBlock(config, placement));
        _merger = new PatchMerger(config, placement);
        register_module("patch_embed", _patchEmbed);
        register_module("blocks", _blocks);
        register_module("merger", _merger);
    }

    /// <summary>Encodes <paramref name="pixelValues"/> [N, 1176] laid out by <paramref name="gridThw"/> [n, 3].</summary>
    public Tensor Forward(Tensor pixelValues, Tensor gridThw, VisionTrace? trace = null) =>
        Forward(pixelValues, VisionGrid.FromTensor(gridThw, _config.SpatialMergeSize), trace);

    /// <summary>Encodes <paramref name="pixelValues"/> [N, 1176] laid out by <paramref name="grid"/>; returns [N / merge², H].</summary>
    public Tensor Forward(Tensor pixelValues, VisionGrid grid, VisionTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(pixelValues);
        ArgumentNullException.ThrowIfNull(grid);
        if (pixelValues.shape[0] != grid.PatchCount)
        {
            throw new ArgumentException($"pixel_values has {pixelValues.shape[0]} patches but grid_thw describes {grid.PatchCount}");
        }

        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var hidden = _patchEmbed.Forward(pixelValues);
        var angles = VisionRotaryEmbedding.Angles(grid, _config.HeadDim, hidden.device);
        var (cos, sin) = VisionRotaryEmbedding.CosSin(angles);
        long[] cuSeqlens = grid.CuSeqlens();
        var runs = AttentionBlockRun.FromCuSeqlens(cuSeqlens);
        trace?.RecordInputs(hidden, angles, cuSeqlens);

        foreach (var block in _blocks.Items)
        {
            hidden = block.Forward(hidden, cos, sin, runs);
            trace?.RecordBlock(hidden);
        }

        var merged = _merger.Forward(hidden, out var normalized);
        trace?.RecordMergerLayerNorm(normalized);
        return merged.MoveToOuterDisposeScope();
    }
}
