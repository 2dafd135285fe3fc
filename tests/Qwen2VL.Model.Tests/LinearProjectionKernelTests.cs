using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>The batch-1 bf16 decode kernel against LibTorch's linear on the same bf16 data.</summary>
public sealed class LinearProjectionKernelTests
{
    [Theory]
    [InlineData(1, 64, 160, true)]
    [InlineData(1, 1536, 257, false)] // weight rows not a multiple of the kernel's 4-row groups
    [InlineData(1, 8960, 96, false)]
    public void Apply_OneBf16Row_MatchesLibTorchLinear(int rows, int inFeatures, int outFeatures, bool withBias)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(seed: 7);
        var weight = (randn(new long[] { outFeatures, inFeatures }, generator: generator) * 0.02).to(ScalarType.BFloat16);
        var bias = withBias ? randn(new long[] { outFeatures }, generator: generator).to(ScalarType.BFloat16) : null;
        var x = randn(new long[] { rows, inFeatures }, generator: generator).to(ScalarType.BFloat16);

        var actual = LinearProjection.Apply(x, weight, bias);
        var expected = nn.functional.linear(x.to(ScalarType.Float32), weight.to(ScalarType.Float32), bias?.to(ScalarType.Float32));

        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        Assert.Equal(new long[] { rows, outFeatures }, actual.shape);
        // Both accumulate in float32; the one bf16 rounding of the result bounds the difference.
        var error = (actual.to(ScalarType.Float32) - expected).abs();
        var bound = (expected.abs() * (1.0 / 128)) + 1e-3;
        Assert.True(error.le(bound).all().item<bool>(), $"max error {error.max().item<float>()}");
    }

    [Fact]
    public void Apply_SeveralRows_UsesLibTorchLinearExactly()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(seed: 8);
        var weight = randn(new long[] { 96, 64 }, generator: generator).to(ScalarType.BFloat16);
        var x = randn(new long[] { 2, 64 }, generator: generator).to(ScalarType.BFloat16);

        Assert.True(LinearProjection.Apply(x, weight, null).eq(nn.functional.linear(x, weight)).all().item<bool>());
    }
}
