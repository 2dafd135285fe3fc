using Qwen2VL.Tests.Shared;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests.Support;

/// <summary>Closeness checks that report the worst element, so failures say how far off and where.</summary>
public static class TensorAssert
{
    /// <summary>|actual − expected| ≤ atol + rtol·|expected| element-wise.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            double excess = diff - (atol + (rtol * Math.Abs(expected[i])));
            if (double.IsNaN(diff) || excess > worst)
            {
                worst = double.IsNaN(diff) ? double.PositiveInfinity : excess;
                worstIndex = i;
            }
        }

        if (worstIndex >= 0)
        {
            Assert.Fail($"{what}: element {worstIndex} is {actual[worstIndex]} vs expected {expected[worstIndex]} (|diff| {Math.Abs(actual[worstIndex] - expected[worstIndex]):E3}, atol {atol}, rtol {rtol})");
        }
    }

    /// <summary>Compares a tensor with a golden tensor of the same element count.</summary>
    public static void Close(GoldenTensor expected, Tensor actual, double atol, double rtol, string what) =>
        Close(expected.AsFloat32(), Floats(actual), atol, rtol, what);

    /// <summary>Largest |a − b|.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var diff = (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max();
        return diff.item<float>();
    }

    /// <summary>A CPU float32 copy of the values.</summary>
    public static float[] Floats(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float32, CPU).contiguous();
        return cpu.data<float>().ToArray();
    }
}
