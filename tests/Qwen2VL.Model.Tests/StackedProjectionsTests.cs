using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>Stacked projections: parts are views of one buffer, and one product equals the separate ones.</summary>
public sealed class StackedProjectionsTests
{
    [Fact]
    public void Forward_PartsWrittenThroughTheirParameters_EqualsSeparateProducts()
    {
        using var scope = NewDisposeScope();
        using var stack = new StackedProjections(64, [96, 32, 32], hasBias: true, ModelPlacement.CpuFloat32);
        var generator = new Generator(seed: 11);
        var weights = new List<Tensor>();
        var biases = new List<Tensor>();
        using (no_grad())
        {
            // As the checkpoint loader does: copy into each registered parameter, never into the stack directly.
            foreach (var part in stack.Parts)
            {
                var weight = randn(new long[] { part.OutFeatures, part.InFeatures }, generator: generator);
                var bias = randn(new long[] { part.OutFeatures }, generator: generator);
                part.get_parameter("weight")!.copy_(weight);
                part.get_parameter("bias")!.copy_(bias);
                weights.Add(weight);
                biases.Add(bias);
            }
        }

        var x = randn(new long[] { 5, 64 }, generator: generator);
        var outputs = stack.Forward(x, decodeRows: 2);

        Assert.Equal(3, outputs.Length);
        for (int i = 0; i < outputs.Length; i++)
        {
            var expected = nn.functional.linear(x, weights[i], biases[i]);
            Assert.Equal(expected.shape, outputs[i].shape);
            double diff = (outputs[i] - expected).abs().max().item<float>();
            Assert.True(diff < 1e-4, $"part {i} differs from its separate product by {diff}");
        }
    }

    [Fact]
    public void Parts_RegisteredUnderCheckpointNames_KeepTheirShapes()
    {
        using var stack = new StackedProjections(64, [96, 32], hasBias: false, ModelPlacement.CpuFloat32);

        Assert.Equal(new long[] { 96, 64 }, stack.Parts[0].get_parameter("weight")!.shape);
        Assert.Equal(new long[] { 32, 64 }, stack.Parts[1].get_parameter("weight")!.shape);
        Assert.Null(stack.Parts[0].get_parameter("bias"));
    }
}
