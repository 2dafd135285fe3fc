using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;
using Qwen2VL.Tests.Shared;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests.Support;

/// <summary>
/// One golden prompt (all batch rows of a case under a tensor prefix), unpadded into a flat batch: row b contributes
/// its attention_mask == 1 columns, in order, as its own segment.
/// </summary>
public sealed class GoldenPrompt
{
    public GoldenPrompt(string caseName, string prefix)
    {
        CaseName = caseName;
        Prefix = prefix;
        Tensors = GoldenCases.Tensors(caseName);
        var ids = this["input_ids"];
        Batch = (int)ids.Shape[0];
        Length = (int)ids.Shape[1];
        InputIds = ids.AsInt64();
        long[] mask = Tensors.Contains(prefix + "attention_mask") ? this["attention_mask"].AsInt64() : Enumerable.Repeat(1L, Batch * Length).ToArray();
        Positions = this["position_ids"].AsInt64();
        ValidColumns = Enumerable.Range(0, Batch)
            .Select(b => Enumerable.Range(0, Length).Where(c => mask[(b * Length) + c] == 1).ToArray())
            .ToArray();
    }

    public string CaseName { get; }

    public string Prefix { get; }

    public GoldenTensors Tensors { get; }

    public int Batch { get; }

    public int Length { get; }

    public long[] InputIds { get; }

    /// <summary>position_ids [3, B, L], flattened.</summary>
    public long[] Positions { get; }

    /// <summary>Non-pad columns of each row.</summary>
    public int[][] ValidColumns { get; }

    public GoldenTensor this[string name] => Tensors[Prefix + name];

    public bool Has(string name) => Tensors.Contains(Prefix + name);

    /// <summary>Flat-batch row of (row b, column c) for a prefill of all rows.</summary>
    public IEnumerable<(int Row, int Column, int Flat)> FlatLayout()
    {
        int flat = 0;
        for (int b = 0; b < Batch; b++)
        {
            foreach (int c in ValidColumns[b])
            {
                yield return (b, c, flat++);
            }
        }
    }

    /// <summary>Vision features of the prompt's images and videos (null when it has none).</summary>
    public (Tensor? Images, Tensor? Videos) EncodeVision(Qwen2VLStage stage)
    {
        Tensor? Encode(string pixels, string grid)
        {
            if (!Has(pixels))
            {
                return null;
            }

            using var p = Golden.ToTensor(this[pixels]);
            using var g = Golden.ToTensor(this[grid]);
            return stage.EncodeVision(p, g);
        }

        return (Encode("pixel_values", "image_grid_thw"), Encode("pixel_values_videos", "video_grid_thw"));
    }

    /// <summary>The prefill of every row as one flat batch, each row a segment with an empty cache.</summary>
    public StageInput Prefill(IReadOnlyList<KvCache> caches, Tensor? images, Tensor? videos, bool allLogits, bool capture)
    {
        var layout = FlatLayout().ToList();
        var ids = layout.Select(x => InputIds[(x.Row * Length) + x.Column]).ToArray();
        var positions = new long[3 * layout.Count];
        for (int axis = 0; axis < 3; axis++)
        {
            for (int i = 0; i < layout.Count; i++)
            {
                positions[(axis * layout.Count) + i] = Positions[(((axis * Batch) + layout[i].Row) * Length) + layout[i].Column];
            }
        }

        return new StageInput
        {
            Segments = Enumerable.Range(0, Batch).Select(b => new SequenceSegment(caches[b], 0, ValidColumns[b].Length)).ToList(),
            InputIds = tensor(ids),
            PositionIds = tensor(positions, new long[] { 3, layout.Count }),
            ImageEmbeds = images,
            VideoEmbeds = videos,
            LogitRows = allLogits ? Enumerable.Range(0, layout.Count).Select(i => (long)i).ToList() : null,
            CaptureHiddenStates = capture,
        };
    }

    /// <summary>
    /// One decode step for every row: row b feeds <paramref name="tokens"/>[b] at gen_position_ids[:, b, step].
    /// </summary>
    public StageInput DecodeStep(IReadOnlyList<KvCache> caches, long[] tokens, int step)
    {
        var genPositions = this["gen_position_ids"];
        int steps = (int)genPositions.Shape[2];
        long[] all = genPositions.AsInt64();
        var positions = new long[3 * Batch];
        for (int axis = 0; axis < 3; axis++)
        {
            for (int b = 0; b < Batch; b++)
            {
                positions[(axis * Batch) + b] = all[(((axis * Batch) + b) * steps) + step];
            }
        }

        return new StageInput
        {
            Segments = caches.Select(c => new SequenceSegment(c, c.Length, 1)).ToList(),
            InputIds = tensor(tokens),
            PositionIds = tensor(positions, new long[] { 3, Batch }),
        };
    }

    /// <summary>The golden logits [rows, K] at logits_col_ids for (row, position) pairs of a [B, P, K] golden.</summary>
    public static Tensor Columns(Tensor logits, GoldenTensor colIds) =>
        logits.index_select(1, tensor(colIds.AsInt64()));

    /// <summary>Values of a [B, P, ...] golden at (b, p), flattened.</summary>
    public static float[] At(GoldenTensor golden, int b, int p)
    {
        long inner = golden.Shape.Skip(2).Aggregate(1L, (x, y) => x * y);
        long start = ((b * golden.Shape[1]) + p) * inner;
        return golden.AsFloat32().AsSpan((int)start, (int)inner).ToArray();
    }
}
