using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>The decode kernels (AVX512-BF16 and managed) and the routing of <see cref="LinearProjection.Apply"/> against LibTorch.</summary>
public sealed class LinearProjectionKernelTests
{
    [Theory]
    [InlineData(1, 64, 160, true)]
    [InlineData(1, 1536, 257, false)] // weight rows not a multiple of the kernel's 4-row groups
    [InlineData(2, 1536, 96, true)]
    [InlineData(3, 100, 64, false)] // inputs not a multiple of 32 elements: the masked tail
    [InlineData(5, 8960, 96, false)]
    [InlineData(8, 1536, 130, true)]
    [InlineData(16, 3584, 64, false)]
    public void NativeKernel_FewBf16Rows_MatchesFloat32Linear(int rows, int inFeatures, int outFeatures, bool withBias)
    {
        if (!NativeKernelPresent())
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (x, weight, bias) = Inputs(rows, inFeatures, outFeatures, withBias, seed: 7);

        var actual = Bf16NativeLinear.Apply(x, weight, bias);

        AssertWithinOneBf16Rounding(actual, x, weight, bias);
    }

    [Theory]
    [InlineData(64, 160, true)]
    [InlineData(1536, 257, false)]
    [InlineData(8960, 96, false)]
    public void ManagedKernel_OneBf16Row_MatchesFloat32Linear(int inFeatures, int outFeatures, bool withBias)
    {
        using var scope = NewDisposeScope();
        var (x, weight, bias) = Inputs(1, inFeatures, outFeatures, withBias, seed: 9);
        Assert.True(Bf16MatVec.Applies(x, weight) == System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated);
        if (!Bf16MatVec.Applies(x, weight))
        {
            return;
        }

        AssertWithinOneBf16Rounding(Bf16MatVec.Apply(x, weight, bias), x, weight, bias);
    }

    [Fact]
    public void NativeKernel_EachRowOfABatch_EqualsThatRowAlone()
    {
        // A sequence's logits must not depend on which sequences share its decode step.
        if (!NativeKernelPresent())
        {
            return;
        }

        using var scope = NewDisposeScope();
        var (x, weight, bias) = Inputs(Bf16NativeLinear.MaxInputRows, 1536, 260, withBias: true, seed: 11);

        var together = Bf16NativeLinear.Apply(x, weight, bias);

        for (int row = 0; row < x.shape[0]; row++)
        {
            var alone = Bf16NativeLinear.Apply(x.narrow(0, row, 1), weight, bias);
            Assert.True(alone.eq(together.narrow(0, row, 1)).all().item<bool>(), $"row {row} differs");
        }
    }

    [Fact]
    public void Apply_MoreRowsThanTheKernelTakes_IsLibTorchLinearExactly()
    {
        using var scope = NewDisposeScope();
        var (x, weight, _) = Inputs(Math.Max(Bf16NativeLinear.MaxInputRows, Bf16MatVec.MaxInputRows) + 1, 64, 96, withBias: false, seed: 8);

        Assert.True(LinearProjection.Apply(x, weight, null).eq(nn.functional.linear(x, weight)).all().item<bool>());
    }

    [Fact]
    public void ApplyToStep_DecodeRowsThroughTheKernelAsIfAlone_PromptRowsThroughLibTorch()
    {
        if (!NativeKernelPresent())
        {
            return;
        }

        using var scope = NewDisposeScope();
        int decodeRows = Bf16NativeLinear.MaxInputRows + 4;
        var (x, weight, bias) = Inputs(decodeRows + 6, 96, 200, withBias: true, seed: 12);

        var step = LinearProjection.ApplyToStep(x, weight, bias, decodeRows);

        Assert.Equal(new long[] { decodeRows + 6, 200 }, step.shape);
        for (int row = 0; row < decodeRows; row++)
        {
            var alone = Bf16NativeLinear.Apply(x.narrow(0, row, 1), weight, bias);
            Assert.True(alone.eq(step.narrow(0, row, 1)).all().item<bool>(), $"decode row {row} differs from itself alone");
        }

        var prompts = nn.functional.linear(x.narrow(0, decodeRows, 6), weight, bias);
        Assert.True(prompts.eq(step.narrow(0, decodeRows, 6)).all().item<bool>(), "the prompt rows are not LibTorch's");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void ApplyToStep_DecodeRowsOutsideTheBatch_IsRefused(int decodeRows)
    {
        using var scope = NewDisposeScope();
        var (x, weight, _) = Inputs(4, 64, 32, withBias: false, seed: 13);

        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProjection.ApplyToStep(x, weight, null, decodeRows));
    }

    [Fact]
    public void NativeKernel_OnACpuWithAvx512Bf16_IsBuiltAndLoaded()
    {
        // A build that silently lost the kernel (no compiler, a broken load) would decode at LibTorch's speed.
        bool cpuHasIt = File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo")
            .Any(line => line.StartsWith("flags", StringComparison.Ordinal) && line.Split(' ').Contains("avx512_bf16"));
        Assert.Equal(cpuHasIt, LinearProjection.NativeKernelAvailable);
    }

    // Only CPUs without AVX512-BF16 lack the kernel: NativeKernel_OnACpuWithAvx512Bf16_IsBuiltAndLoaded fails a build
    // that lost it on a CPU that has it.
    private static bool NativeKernelPresent() => Bf16NativeLinear.Available;

    private static (Tensor X, Tensor Weight, Tensor? Bias) Inputs(int rows, int inFeatures, int outFeatures, bool withBias, int seed)
    {
        var generator = new Generator(seed: (ulong)seed);
        var weight = (randn(new long[] { outFeatures, inFeatures }, generator: generator) * 0.02).to(ScalarType.BFloat16);
        var bias = withBias ? randn(new long[] { outFeatures }, generator: generator).to(ScalarType.BFloat16) : null;
        var x = randn(new long[] { rows, inFeatures }, generator: generator).to(ScalarType.BFloat16);
        return (x, weight, bias);
    }

    private static void AssertWithinOneBf16Rounding(Tensor actual, Tensor x, Tensor weight, Tensor? bias)
    {
        var expected = nn.functional.linear(x.to(ScalarType.Float32), weight.to(ScalarType.Float32), bias?.to(ScalarType.Float32));
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        // Both accumulate in float32; the one bf16 rounding of the result bounds the difference.
        var error = (actual.to(ScalarType.Float32) - expected).abs();
        var bound = (expected.abs() * (1.0 / 128)) + 1e-3;
        Assert.True(error.le(bound).all().item<bool>(), $"max error {error.max().item<float>()}");
    }
}
