using Qwen2VL.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void Matmul_OnCpu_ComputesProduct()
    {
        // Proves the native LibTorch library loads on this platform (see build/TorchSharpGlibcxxFix.targets).
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = matmul(a, b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Bfloat16_Matmul_RunsOnCpu()
    {
        using var a = ones(4, 8, dtype: ScalarType.BFloat16);
        using var b = ones(8, 3, dtype: ScalarType.BFloat16);
        using var c = matmul(a, b).to(ScalarType.Float32);
        Assert.All(c.data<float>().ToArray(), v => Assert.Equal(8f, v));
    }

    [Theory]
    [InlineData("float32", ScalarType.Float32)]
    [InlineData("bf16", ScalarType.BFloat16)]
    [InlineData("BFloat16", ScalarType.BFloat16)]
    public void ParseDType_KnownNames_Parse(string text, ScalarType expected)
    {
        Assert.Equal(expected, TorchRuntime.ParseDType(text));
    }

    [Fact]
    public void ParseDType_Float16_IsRefusedWithReason()
    {
        var error = Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDType("float16"));
        Assert.Contains("bfloat16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDevice_Unknown_Throws()
    {
        Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice("tpu"));
        Assert.Equal(DeviceType.CPU, TorchRuntime.ParseDevice("cpu").type);
    }
}
