using Qwen2VL.Model.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Text;

/// <summary>
/// M-RoPE: plain RoPE over head_dim with θ = rope_theta, where frequency band j takes its position from the temporal
/// row if j &lt; s_t, the height row if j &lt; s_t + s_h, and the width row otherwise (the same split in both halves of
/// the rotate-half layout).
/// </summary>
public sealed class MultimodalRotaryEmbedding
{
    private readonly int _headDim;
    private readonly int[] _section;
    private readonly double _theta;

    /// <summary>Reads head_dim, rope_theta and mrope_section from <paramref name="config"/>.</summary>
    public MultimodalRotaryEmbedding(Qwen2VLConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _headDim = config.HeadDim;
        _section = config.MropeSection.ToArray();
        _theta = config.RopeTheta;
    }

    /// <summary>cos and sin [T, head_dim] in float32 for position ids [3, T] (temporal, height, width rows).</summary>
    public (Tensor Cos, Tensor Sin) Compute(Tensor positionIds)
    {
        ArgumentNullException.ThrowIfNull(positionIds);
        if (positionIds.dim() != 2 || positionIds.shape[0] != 3)
        {
            throw new ArgumentException($"position ids must have shape [3, tokens], got [{string.Join(", ", positionIds.shape)}]");
        }

        using var scope = NewDisposeScope();
        var device = positionIds.device;
        // inv_freq = 1 / θ^(2i / head_dim), in float32 exactly as the reference computes it.
        var exponents = arange(0, _headDim, 2, dtype: ScalarType.Int64, device: device).to(ScalarType.Float32) / _headDim;
        var invFreq = tensor(_theta, ScalarType.Float32, device).pow(exponents).reciprocal();
        var angles = positionIds.to(ScalarType.Float32).unsqueeze(-1) * invFreq; // [3, T, hd/2]

        var bands = new Tensor[3];
        long start = 0;
        for (int row = 0; row < 3; row++)
        {
            bands[row] = angles[row].narrow(-1, start, _section[row]);
            start += _section[row];
        }

        var selected = cat(bands, -1);
        var emb = cat(new[] { selected, selected }, -1);
        return scope.MoveToOuter(emb.cos(), emb.sin());
    }
}
