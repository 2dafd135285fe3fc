using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>The rotate-half rotary update shared by the vision tower and the decoder.</summary>
public static class Rotary
{
    /// <summary>x·cos + rotate_half(x)·sin, where rotate_half(x) = [−x₂, x₁] over the last dimension.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat(new[] { x2.neg(), x1 }, -1);
        return ((x * cos) + (rotated * sin)).MoveToOuterDisposeScope();
    }
}
