using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// The patch embedding. The checkpoint stores a Conv3d weight <c>proj.weight</c> [E, C, T, P, P] whose kernel equals
/// its stride, so it is exactly a linear map of each flattened (C, T, P, P) patch vector; the linear form is several
/// times faster than conv3d.
/// </summary>
public sealed class PatchEmbedding : nn.Module
{
    private readonly ConvWeight _proj;
    private readonly int _embedDim;
    private readonly int _patchVectorLength;

    /// <summary>Creates an uninitialised patch embedding.</summary>
    public PatchEmbedding(Config.VisionConfig config, ModelPlacement placement)
        : base(nameof(PatchEmbedding))
    {
        ArgumentNullException.ThrowIfNull(config);
        _embedDim = config.EmbedDim;
        _patchVectorLength = config.PatchVectorLength;
        _proj = new ConvWeight(
            placement.NewParameter(config.EmbedDim, config.InChannels, config.TemporalPatchSize, config.PatchSize, config.PatchSize));
        register_module("proj", _proj);
    }

    /// <summary>Embeds pixel_values [N, C·T·P·P] into [N, E] in the parameter dtype.</summary>
    public Tensor Forward(Tensor pixelValues)
    {
        ArgumentNullException.ThrowIfNull(pixelValues);
        if (pixelValues.dim() != 2 || pixelValues.shape[1] != _patchVectorLength)
        {
            throw new ArgumentException($"pixel_values must have shape [patches, {_patchVectorLength}], got [{string.Join(", ", pixelValues.shape)}]");
        }

        using var scope = NewDisposeScope();
        var weight = _proj.Weight.view(_embedDim, _patchVectorLength);
        var input = pixelValues.to(_proj.Weight.dtype, _proj.Weight.device);
        return nn.functional.linear(input, weight).MoveToOuterDisposeScope();
    }

    /// <summary>Holds the Conv3d weight under the checkpoint name <c>weight</c>.</summary>
    private sealed class ConvWeight : nn.Module
    {
        private readonly Parameter _weight;

        public ConvWeight(Parameter weight)
            : base(nameof(ConvWeight))
        {
            _weight = weight;
            register_parameter("weight", _weight);
        }

        public Tensor Weight => _weight;
    }
}
