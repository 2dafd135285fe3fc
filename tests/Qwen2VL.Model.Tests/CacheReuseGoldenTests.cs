using Qwen2VL.Model.Stages;
using Qwen2VL.Model.Tests.Support;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>KV cache reuse across turns, chunked prefill and mixed flat batches, all against the goldens.</summary>
[Collection(ModelCollection.Name)]
[Trait("Category", "Golden")]
public class CacheReuseGoldenTests
{
    private const double LogitsAtol = 5e-4;
    private readonly ModelFixture _model;

    public CacheReuseGoldenTests(ModelFixture model) => _model = model;

    public static TheoryData<string> MultiTurnCases() =>
        GoldenCases.CasesWith("turn1_input_ids", "turn1_gen_tokens", "turn1_gen_position_ids", "turn2_input_ids", "turn2_position_ids", "turn2_prefill_logits_cols", "turn2_gen_tokens");

    public static TheoryData<string> BatchCases()
    {
        var data = new TheoryData<string>();
        foreach (var row in GoldenCases.With("input_ids", "attention_mask", "prefill_logits_cols", "gen_tokens"))
        {
            var tensors = GoldenCases.Tensors((string)row[0]);
            // The mixed-batch test slices image features by hand; video batches are not part of it.
            if ((string)row[1] == "" && tensors["input_ids"].Shape[0] > 1 && !tensors.Contains("pixel_values_videos"))
            {
                data.Add((string)row[0]);
            }
        }

        return data;
    }

    /// <summary>
    /// Turn 1 is prefilled and greedily decoded; its cache (prompt + all answer tokens but the last, which was never fed
    /// back) is continued with the last answer token plus the turn-2 suffix, whose new image gets its positions from the
    /// turn-2 rope index. The result must equal the golden full recompute of turn 2.
    /// </summary>
    [Theory]
    [MemberData(nameof(MultiTurnCases))]
    public void KvReuse_SecondTurnWithNewImage_MatchesFullRecompute(string caseName)
    {
        var stage = _model.Stage;
        var turn1 = new GoldenPrompt(caseName, "turn1_");
        var turn2 = new GoldenPrompt(caseName, "turn2_");
        using var cache = stage.CreateKvCache(16, 4096);
        var caches = new[] { cache };

        var (images1, _) = turn1.EncodeVision(stage);
        int steps1 = (int)turn1["gen_tokens"].Shape[1];
        using (images1)
        using (var prefill = stage.Forward(turn1.Prefill(caches, images1, null, allLogits: false, capture: false)))
        {
            GoldenDecode.CheckSteps(stage, turn1, caches, prefill.Logits!, 0, $"{caseName} turn 1");
        }

        int reused = turn1.Length + steps1 - 1;
        Assert.Equal(reused, cache.Length);
        long[] ids2 = turn2.InputIds;
        Assert.Equal(turn1.InputIds.Concat(turn1["gen_tokens"].AsInt64()).ToArray(), ids2[..(turn1.Length + steps1)]);

        using var newImages = EncodeNewImages(stage, turn1, turn2);
        int chunk = turn2.Length - reused;
        var positions = new long[3 * chunk];
        for (int axis = 0; axis < 3; axis++)
        {
            Array.Copy(turn2.Positions, (axis * turn2.Length) + reused, positions, axis * chunk, chunk);
        }

        using var output = stage.Forward(new StageInput
        {
            Segments = new[] { new SequenceSegment(cache, reused, chunk) },
            InputIds = tensor(ids2[reused..]),
            PositionIds = tensor(positions, new long[] { 3, chunk }),
            ImageEmbeds = newImages,
            LogitRows = Enumerable.Range(0, chunk).Select(i => (long)i).ToList(),
        });

        using var columns = GoldenPrompt.Columns(output.Logits!, turn2["logits_col_ids"]);
        float[] expected = Enumerable.Range(reused, chunk).SelectMany(p => GoldenPrompt.At(turn2["prefill_logits_cols"], 0, p)).ToArray();
        TensorAssert.Close(expected, TensorAssert.Floats(columns), LogitsAtol, 0, $"{caseName} turn-2 chunk logits");

        using var last = output.Logits!.narrow(0, chunk - 1, 1);
        GoldenDecode.CheckSteps(stage, turn2, caches, last, 0, $"{caseName} turn 2");
    }

    /// <summary>
    /// Rows of a padded golden batch run unpadded in one flat batch: the first row's prompt is split into two chunks
    /// (the split falls inside its image when it has one), and the second chunk shares a batch with the other rows'
    /// first decode step. Every row must match its goldens.
    /// </summary>
    [Theory]
    [MemberData(nameof(BatchCases))]
    public void MixedBatch_ChunkedPrefillBesideDecode_MatchesGoldens(string caseName)
    {
        var stage = _model.Stage;
        var prompt = new GoldenPrompt(caseName, "");
        var caches = Enumerable.Range(0, prompt.Batch).Select(_ => stage.CreateKvCache(4, 4096)).ToList();
        var (images, videos) = prompt.EncodeVision(stage);
        try
        {
            var rows = Enumerable.Range(0, prompt.Batch)
                .Select(b => prompt.ValidColumns[b].Select(c => prompt.InputIds[(b * prompt.Length) + c]).ToArray())
                .ToArray();
            long imageToken = stage.Config.ImageTokenId;
            int firstPad = Array.IndexOf(rows[0], imageToken);
            int split = firstPad >= 0 ? firstPad + 2 : rows[0].Length / 2;
            int row0Pads = rows[0].Count(t => t == imageToken);
            int padsBeforeSplit = rows[0].Take(split).Count(t => t == imageToken);

            // Batch 1: row 0's first chunk (no logits wanted) and every other row's whole prompt.
            var segments1 = new List<SequenceSegment> { new(caches[0], 0, split) };
            var ids1 = new List<long>(rows[0][..split]);
            var pos1 = Enumerable.Range(0, 3).Select(_ => new List<long>()).ToArray();
            AddPositions(prompt, pos1, 0, prompt.ValidColumns[0][..split]);
            var imageRows1 = new List<Tensor>();
            if (images is not null && padsBeforeSplit > 0)
            {
                imageRows1.Add(images.narrow(0, 0, padsBeforeSplit));
            }

            var logitRows1 = new List<long>();
            long imageCursor = row0Pads;
            for (int b = 1; b < prompt.Batch; b++)
            {
                segments1.Add(new SequenceSegment(caches[b], 0, rows[b].Length));
                ids1.AddRange(rows[b]);
                AddPositions(prompt, pos1, b, prompt.ValidColumns[b]);
                int pads = rows[b].Count(t => t == imageToken);
                if (pads > 0)
                {
                    imageRows1.Add(images!.narrow(0, imageCursor, pads));
                    imageCursor += pads;
                }

                logitRows1.Add(ids1.Count - 1);
            }

            using var first = stage.Forward(new StageInput
            {
                Segments = segments1,
                InputIds = tensor(ids1.ToArray()),
                PositionIds = Positions(pos1),
                ImageEmbeds = imageRows1.Count == 0 ? null : cat(imageRows1, 0),
                LogitRows = logitRows1,
            });
            using var firstTokens = first.Logits!.argmax(-1);
            long[] decoded = firstTokens.data<long>().ToArray();

            // Batch 2: row 0's remaining prompt, then one decode step of every other row.
            int rest = rows[0].Length - split;
            var segments2 = new List<SequenceSegment> { new(caches[0], split, rest) };
            var ids2 = new List<long>(rows[0][split..]);
            var pos2 = Enumerable.Range(0, 3).Select(_ => new List<long>()).ToArray();
            AddPositions(prompt, pos2, 0, prompt.ValidColumns[0][split..]);
            var logitRows2 = new List<long> { rest - 1 };
            var genPositions = prompt["gen_position_ids"].AsInt64();
            int steps = (int)prompt["gen_tokens"].Shape[1];
            for (int b = 1; b < prompt.Batch; b++)
            {
                segments2.Add(new SequenceSegment(caches[b], caches[b].Length, 1));
                ids2.Add(decoded[b - 1]);
                for (int axis = 0; axis < 3; axis++)
                {
                    pos2[axis].Add(genPositions[(((axis * prompt.Batch) + b) * steps) + 0]);
                }

                logitRows2.Add(ids2.Count - 1);
            }

            using var second = stage.Forward(new StageInput
            {
                Segments = segments2,
                InputIds = tensor(ids2.ToArray()),
                PositionIds = Positions(pos2),
                ImageEmbeds = padsBeforeSplit < row0Pads ? images!.narrow(0, padsBeforeSplit, row0Pads - padsBeforeSplit) : null,
                LogitRows = logitRows2,
            });

            using var colIds = tensor(prompt["logits_col_ids"].AsInt64());
            using var row0 = second.Logits!.narrow(0, 0, 1).index_select(1, colIds);
            TensorAssert.Close(GoldenPrompt.At(prompt["gen_logits_cols"], 0, 0), TensorAssert.Floats(row0), LogitsAtol, 0, $"{caseName} row 0 after chunked prefill");
            var goldenTokens = prompt["gen_tokens"].AsInt64();
            for (int b = 1; b < prompt.Batch; b++)
            {
                Assert.Equal(goldenTokens[b * steps], decoded[b - 1]);
                using var rowLogits = second.Logits!.narrow(0, b, 1).index_select(1, colIds);
                TensorAssert.Close(GoldenPrompt.At(prompt["gen_logits_cols"], b, 1), TensorAssert.Floats(rowLogits), LogitsAtol, 0, $"{caseName} row {b} decode step 1 beside a prefill chunk");
            }
        }
        finally
        {
            images?.Dispose();
            caches.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(BatchCases))]
    public void FlatBatch_RowsTogether_EqualRowsAlone(string caseName)
    {
        var stage = _model.Stage;
        var prompt = new GoldenPrompt(caseName, "");
        var caches = Enumerable.Range(0, prompt.Batch).Select(_ => stage.CreateKvCache(64, 64)).ToList();
        var (images, videos) = prompt.EncodeVision(stage);
        try
        {
            using var together = stage.Forward(prompt.Prefill(caches, images, videos, allLogits: false, capture: false));
            long imageCursor = 0;
            for (int b = 0; b < prompt.Batch; b++)
            {
                var columns = prompt.ValidColumns[b];
                long[] ids = columns.Select(c => prompt.InputIds[(b * prompt.Length) + c]).ToArray();
                var pos = Enumerable.Range(0, 3).Select(_ => new List<long>()).ToArray();
                AddPositions(prompt, pos, b, columns);
                int pads = ids.Count(t => t == stage.Config.ImageTokenId);
                using var alone = stage.CreateKvCache(64, 64);
                using var output = stage.Forward(new StageInput
                {
                    Segments = new[] { new SequenceSegment(alone, 0, ids.Length) },
                    InputIds = tensor(ids),
                    PositionIds = Positions(pos),
                    ImageEmbeds = pads > 0 ? images!.narrow(0, imageCursor, pads) : null,
                });
                imageCursor += pads;
                using var batched = together.Logits!.narrow(0, b, 1);
                Assert.True(TensorAssert.MaxAbsDiff(batched, output.Logits!) <= 1e-4, $"{caseName} row {b}: batched and alone differ by {TensorAssert.MaxAbsDiff(batched, output.Logits!)}");
            }
        }
        finally
        {
            images?.Dispose();
            videos?.Dispose();
            caches.ForEach(c => c.Dispose());
        }
    }

    private static Tensor EncodeNewImages(Qwen2VLStage stage, GoldenPrompt turn1, GoldenPrompt turn2)
    {
        int oldImages = turn1.Has("image_grid_thw") ? (int)turn1["image_grid_thw"].Shape[0] : 0;
        long[] grid = turn2["image_grid_thw"].AsInt64();
        int images = grid.Length / 3;
        long skippedPatches = Enumerable.Range(0, oldImages).Sum(i => grid[3 * i] * grid[(3 * i) + 1] * grid[(3 * i) + 2]);
        using var pixels = Golden.ToTensor(turn2["pixel_values"]);
        using var newPixels = pixels.narrow(0, skippedPatches, pixels.shape[0] - skippedPatches);
        using var newGrid = tensor(grid[(3 * oldImages)..], new long[] { images - oldImages, 3 });
        return stage.EncodeVision(newPixels, newGrid);
    }

    private static void AddPositions(GoldenPrompt prompt, List<long>[] positions, int row, IEnumerable<int> columns)
    {
        foreach (int c in columns)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                positions[axis].Add(prompt.Positions[(((axis * prompt.Batch) + row) * prompt.Length) + c]);
            }
        }
    }

    private static Tensor Positions(List<long>[] positions) =>
        tensor(positions.SelectMany(p => p).ToArray(), new long[] { 3, positions[0].Count });
}
