using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// ViT self-attention: one fused <c>qkv</c> projection, 2-D rotary on q and k (in float32), attention restricted to
/// each cu_seqlens block, and <c>proj</c>. Blocks are attended one run at a time, never through an N×N mask, so memory
/// stays bounded by the largest image. In bf16 on AVX-512 CPUs, blocks of at least <see cref="BlockedAttention.MinKeys"/>
/// patches are attended by <see cref="BlockedAttention"/> (about twice the speed of LibTorch's CPU kernel for head_dim
/// 80); everything else (GPUs, float32, small images) by <c>scaled_dot_product_attention</c>.
/// </summary>
public sealed class VisionAttention : nn.Module
{
    private readonly LinearProjection _qkv;
    private readonly LinearProjection _proj;
    private readonly int _heads;
    private readonly int _headDim;

    /// <summary>Creates an uninitialised attention of width <paramref name="embedDim"/>.</summary>
    public VisionAttention(int embedDim, int heads, ModelPlacement placement)
        : base(nameof(VisionAttention))
    {
        _heads = heads;
        _headDim = embedDim / heads;
        _qkv = new LinearProjection(embedDim, 3 * embedDim, hasBias: true, placement);
        _proj = new LinearProjection(embedDim, embedDim, hasBias: true, placement);
        register_module("qkv", _qkv);
        register_module("proj", _proj);
    }

    /// <summary>
    /// Which attention implementation runs (default <see cref="VisionAttentionPath.Auto"/>). A process-wide switch so
    /// benchmarks can compare both in one run and tests can check the blocked path against the goldens.
    /// </summary>
    public static VisionAttentionPath Path { get; set; } = VisionAttentionPath.Auto;

    /// <summary>Attends within each block of <paramref name="blocks"/>; input and output [N, E].</summary>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, IReadOnlyList<AttentionBlockRun> blocks)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(blocks);
        using var scope = NewDisposeScope();
        long n = hidden.shape[0];
        var qkv = _qkv.Forward(hidden).view(n, 3, _heads, _headDim);
        var q = RotateFloat32(qkv.select(1, 0), cos, sin);
        var k = RotateFloat32(qkv.select(1, 1), cos, sin);
        var v = qkv.select(1, 2);

        var outputs = new List<Tensor>(blocks.Count);
        foreach (var run in blocks)
        {
            // A run is `Count` consecutive blocks of equal length: attend them as one batch.
            long rows = run.Count * run.Length;
            Tensor Batched(Tensor x) => x.narrow(0, run.Start, rows).view(run.Count, run.Length, _heads, _headDim).transpose(1, 2);
            var attended = Attend(Batched(q), Batched(k), Batched(v));
            outputs.Add(attended.transpose(1, 2).reshape(rows, _heads * _headDim));
        }

        var merged = outputs.Count == 1 ? outputs[0] : cat(outputs, 0);
        return _proj.Forward(merged).MoveToOuterDisposeScope();
    }

    private static Tensor Attend(Tensor q, Tensor k, Tensor v)
    {
        bool blocked = Path switch
        {
            VisionAttentionPath.Auto => BlockedAttention.IsFasterThanSdpa(q, k),
            VisionAttentionPath.Blocked => BlockedAttention.Applies(q),
            _ => false,
        };
        return blocked ? BlockedAttention.Attend(q, k, v) : nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, false);
    }

    private static Tensor RotateFloat32(Tensor x, Tensor cos, Tensor sin) =>
        Rotary.Apply(x.to(ScalarType.Float32), cos, sin).to(x.dtype);
}

/// <summary><paramref name="Count"/> consecutive attention blocks of <paramref name="Length"/> patches from row <paramref name="Start"/>.</summary>
public readonly record struct AttentionBlockRun(long Start, long Length, long Count)
{
    /// <summary>Groups cu_seqlens boundaries into runs of equal-length neighbouring blocks (video frames form one run).</summary>
    public static IReadOnlyList<AttentionBlockRun> FromCuSeqlens(IReadOnlyList<long> cuSeqlens)
    {
        ArgumentNullException.ThrowIfNull(cuSeqlens);
        var runs = new List<AttentionBlockRun>();
        for (int i = 0; i + 1 < cuSeqlens.Count; i++)
        {
            long start = cuSeqlens[i];
            long length = cuSeqlens[i + 1] - start;
            if (length <= 0)
            {
                throw new ArgumentException($"cu_seqlens must increase: block {i} spans [{start}, {cuSeqlens[i + 1]})");
            }

            if (runs.Count > 0 && runs[^1].Length == length && runs[^1].Start + (runs[^1].Count * length) == start)
            {
                runs[^1] = runs[^1] with { Count = runs[^1].Count + 1 };
            }
            else
            {
                runs.Add(new AttentionBlockRun(start, length, 1));
            }
        }

        return runs;
    }
}
