using System.Runtime.Intrinsics;
using Qwen2VL.Model.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>
/// The vision tower's CPU attention against LibTorch's float32 attention on the same data. The golden vision cases
/// cover it end to end in float32, but their images fit in one query block; these shapes cross block boundaries and
/// leave a key tail shorter than one vector.
/// </summary>
public sealed class BlockedAttentionTests
{
    // Two heads of head_dim 80 (the real one); 600 queries = blocks of 256, 256 and 88; 1000 keys = 31 vectors of 32 + 8.
    private static readonly long[] QueryShape = [1, 2, 600, 80];
    private static readonly long[] KeyShape = [1, 2, 1000, 80];

    [Fact]
    public void Attend_Float32AcrossQueryBlocks_MatchesScaledDotProductAttention()
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Inputs(ScalarType.Float32, seed: 11);

        var actual = BlockedAttention.Attend(q, k, v);
        var expected = nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, false);

        Assert.Equal(expected.shape, actual.shape);
        double error = (actual - expected).abs().max().item<float>();
        Assert.True(error < 1e-5, $"max error {error}");
    }

    [Fact]
    public void Attend_Bf16_StaysWithinBf16RoundingOfFloat32Attention()
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Inputs(ScalarType.BFloat16, seed: 12);

        var actual = BlockedAttention.Attend(q, k, v);
        var expected = nn.functional.scaled_dot_product_attention(q.to(ScalarType.Float32), k.to(ScalarType.Float32), v.to(ScalarType.Float32), null, 0.0, false);

        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        // Scores, weights and the output are each rounded to bf16 (relative 2⁻⁹ each): the relative RMS error stays
        // near 5e-3; a wrong maximum, sum or block offset gives errors of order one.
        var difference = actual.to(ScalarType.Float32) - expected;
        double relativeRms = (difference.square().mean().sqrt() / expected.square().mean().sqrt()).item<float>();
        Assert.True(relativeRms < 1e-2, $"relative RMS error {relativeRms}");
    }

    [Fact]
    public void Attend_FromSeveralThreadsAtOnce_GivesEachCallerItsOwnResult()
    {
        var results = new double[4];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, i =>
        {
            using var scope = NewDisposeScope();
            var (q, k, v) = Inputs(ScalarType.Float32, seed: 20 + (ulong)i);
            var expected = nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, false);
            results[i] = (BlockedAttention.Attend(q, k, v) - expected).abs().max().item<float>();
        });

        Assert.All(results, error => Assert.True(error < 1e-5, $"max error {error}"));
    }

    [Fact]
    public void Attend_AfterItsWorkersStarted_LeavesNewThreadsWithLibTorchsThreadCount()
    {
        using (var scope = NewDisposeScope())
        {
            var (q, k, v) = Inputs(ScalarType.Float32, seed: 30);
            BlockedAttention.Attend(q, k, v);
        }

        int expected = get_num_threads();
        int seen = 0;
        var thread = new Thread(() => seen = get_num_threads());
        thread.Start();
        thread.Join();

        Assert.Equal(expected, seen);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, BlockedAttention.MinKeys, true)]
    [InlineData(ScalarType.BFloat16, BlockedAttention.MinKeys - 1, false)] // small images: SDPA's lower fixed costs win
    [InlineData(ScalarType.Float32, 1024, false)] // float32: SDPA was faster at every size measured
    public void IsFasterThanSdpa_ByDtypeAndKeyCount_PicksTheMeasuredFasterPath(ScalarType dtype, long keys, bool expected)
    {
        using var scope = NewDisposeScope();
        var q = zeros(new long[] { 1, 2, 4, 80 }, dtype);
        var k = zeros(new long[] { 1, 2, keys, 80 }, dtype);

        // Without AVX-512 the kernel would run emulated, so SDPA is always the faster path there.
        Assert.Equal(expected && Vector512.IsHardwareAccelerated, BlockedAttention.IsFasterThanSdpa(q, k));
    }

    [Fact]
    public void Attend_MismatchedKeyAndValue_ThrowsWithShapes()
    {
        using var scope = NewDisposeScope();
        var (q, k, _) = Inputs(ScalarType.Float32, seed: 40);

        var error = Assert.Throws<ArgumentException>(() => BlockedAttention.Attend(q, k, k.narrow(2, 0, 10)));
        Assert.Contains("[1, 2, 10, 80]", error.Message, StringComparison.Ordinal);
    }

    private static (Tensor Q, Tensor K, Tensor V) Inputs(ScalarType dtype, ulong seed)
    {
        var generator = new Generator(seed: seed);
        // A shared key offset, as a bias gives real keys, puts a large per-query constant into the scores.
        var offset = randn(new long[] { 1, 2, 1, 80 }, generator: generator);
        var q = randn(QueryShape, generator: generator);
        var k = randn(KeyShape, generator: generator) + offset;
        var v = randn(KeyShape, generator: generator);
        return (q.to(dtype), k.to(dtype), v.to(dtype));
    }
}
