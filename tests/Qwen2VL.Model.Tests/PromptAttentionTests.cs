using Qwen2VL.Model.Layers;
using Qwen2VL.Model.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>The blocked causal attention of prompt chunks against float32 attention with an explicit causal mask.</summary>
public sealed class PromptAttentionTests
{
    private const int Heads = 12;
    private const int KvHeads = 2;
    private const int HeadDim = 128;

    [Theory]
    [InlineData(0, 300)] // one full block and a short one
    [InlineData(0, 600)]
    [InlineData(200, 70)] // a later chunk: every query sees the whole cache before it
    [InlineData(500, 257)]
    public void Attend_PromptChunk_MatchesFloat32CausalAttention(int cached, int n)
    {
        if (!ShiftedExpRows.IsAccelerated)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var generator = new Generator(seed: (ulong)(cached + n));
        var query = randn(new long[] { n, Heads, HeadDim }, generator: generator).to(ScalarType.BFloat16);
        // As a cache hands them out: a view of the first cached + n positions of a longer buffer.
        var keyBuffer = randn(new long[] { KvHeads, cached + n + 40, HeadDim }, generator: generator).to(ScalarType.BFloat16);
        var valueBuffer = randn(new long[] { KvHeads, cached + n + 40, HeadDim }, generator: generator).to(ScalarType.BFloat16);
        var keys = keyBuffer.narrow(1, 0, cached + n);
        var values = valueBuffer.narrow(1, 0, cached + n);
        Assert.True(PromptAttention.Applies(query, n, cached + n));

        var actual = PromptAttention.Attend(query, keys, values, cached).to(ScalarType.Float32);

        var expected = Reference(query, keys, values, cached);
        Assert.Equal(expected.shape, actual.shape);
        double relativeRms = ((actual - expected).square().mean().sqrt() / expected.square().mean().sqrt()).item<float>();
        // One bf16 rounding of the scores and of the output: measured 2–5e-3 for the same method in the vision tower.
        Assert.True(relativeRms < 1e-2, $"relative RMS error {relativeRms}");
        double worst = (actual - expected).abs().max().item<float>();
        Assert.True(worst < 0.05 * expected.abs().max().item<float>(), $"largest error {worst}");
    }

    [Fact]
    public void Applies_ToBf16PromptChunksThatSeeEnoughKeys()
    {
        if (!ShiftedExpRows.IsAccelerated)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var query = zeros(new long[] { 4, Heads, HeadDim }, ScalarType.BFloat16);
        Assert.True(PromptAttention.Applies(query, 4, 300));
        Assert.False(PromptAttention.Applies(query, 1, 300));
        Assert.False(PromptAttention.Applies(query, 4, 100));
        Assert.False(PromptAttention.Applies(query.to(ScalarType.Float32), 4, 300));
    }

    /// <summary>Float32 attention per query head with an explicit mask: query i (position cached + i) sees keys 0..cached + i.</summary>
    private static Tensor Reference(Tensor query, Tensor keys, Tensor values, int cached)
    {
        long n = query.shape[0];
        long total = keys.shape[1];
        var q = query.to(ScalarType.Float32).transpose(0, 1);
        var k = keys.to(ScalarType.Float32).repeat_interleave(Heads / KvHeads, 0);
        var v = values.to(ScalarType.Float32).repeat_interleave(Heads / KvHeads, 0);
        var visible = arange(total).unsqueeze(0).le(arange(cached, cached + n).unsqueeze(1));
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, visible, 0.0, false);
        return attended.transpose(0, 1).reshape(n, Heads * HeadDim);
    }
}
