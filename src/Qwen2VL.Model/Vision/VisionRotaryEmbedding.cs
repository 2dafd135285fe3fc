using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// The ViT's 2-D rotary embedding: each head's first half rotates with the patch row, the second half with the
/// patch column. inv_freq = 1/10000^(2i/(hd/2)) for i &lt; hd/4, computed in float32 like the reference.
/// </summary>
public static class VisionRotaryEmbedding
{
    private const double Theta = 10000.0;

    /// <summary>Rotary angles [N, hd/2] float32: [row·inv_freq, column·inv_freq] per patch.</summary>
    public static Tensor Angles(VisionGrid grid, int headDim, Device device)
    {
        ArgumentNullException.ThrowIfNull(grid);
        using var scope = NewDisposeScope();
        int dim = headDim / 2;
        var exponents = arange(0, dim, 2, dtype: ScalarType.Int64, device: device).to(ScalarType.Float32) / dim;
        var invFreq = tensor(Theta, ScalarType.Float32, device).pow(exponents).reciprocal();
        var coordinates = tensor(grid.PatchCoordinates(), new long[] { grid.PatchCount, 2 }, ScalarType.Int64, device)
            .to(ScalarType.Float32);
        var angles = coordinates.unsqueeze(-1) * invFreq; // [N, 2, hd/4]
        return angles.reshape(grid.PatchCount, dim).MoveToOuterDisposeScope();
    }

    /// <summary>cos and sin [N, 1, hd] float32 of the duplicated angles, ready to multiply [N, heads, hd].</summary>
    public static (Tensor Cos, Tensor Sin) CosSin(Tensor angles)
    {
        ArgumentNullException.ThrowIfNull(angles);
        using var scope = NewDisposeScope();
        var emb = cat(new[] { angles, angles }, -1).unsqueeze(1);
        return scope.MoveToOuter(emb.cos(), emb.sin());
    }
}
