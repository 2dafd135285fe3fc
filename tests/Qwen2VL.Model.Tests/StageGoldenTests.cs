using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;
using Qwen2VL.Model.Tests.Support;
using Qwen2VL.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

[Collection(ModelCollection.Name)]
[Trait("Category", "Golden")]
public class StageGoldenTests
{
    private const int DecodeSteps = 4;
    private readonly ModelFixture _model;

    public StageGoldenTests(ModelFixture model) => _model = model;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Stages_RunInSequence_EqualWholeModel(int stageCount)
    {
        var ranges = LayerRange.Split(_model.Stage.Config.NumHiddenLayers, stageCount);
        var stages = ranges.Select(r => Qwen2VLStage.Load(TestPaths.Checkpoint, ModelPlacement.CpuFloat32, r)).ToList();
        try
        {
            Assert.True(stages[0].IsFirst && stages[0].Visual is not null);
            Assert.All(stages.Skip(1), s => Assert.Null(s.Visual));
            Assert.True(stages[^1].IsLast && !stages[0].IsLast);
            foreach (var row in GoldenCases.With("input_ids", "position_ids", "gen_tokens", "gen_position_ids", "gen_logits_cols"))
            {
                var prompt = new GoldenPrompt((string)row[0], (string)row[1]);
                CompareWithWholeModel(stages, prompt);
            }
        }
        finally
        {
            stages.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void Load_Bfloat16_RunsWithFiniteLogitsNearFloat32()
    {
        using var stage = Qwen2VLStage.Load(TestPaths.Checkpoint, new ModelPlacement(ScalarType.BFloat16, CPU));
        Assert.All(stage.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var row = GoldenCases.With("pixel_values", "input_ids", "prefill_logits_cols").First();
        var prompt = new GoldenPrompt((string)row[0], (string)row[1]);
        using var cache = stage.CreateKvCache(8, 256);
        var (images, videos) = prompt.EncodeVision(stage);
        using (images)
        using (videos)
        {
            Assert.Equal(ScalarType.BFloat16, images!.dtype);
            using var output = stage.Forward(prompt.Prefill(new[] { cache }, images, videos, allLogits: false, capture: false));
            Assert.Equal(ScalarType.Float32, output.Logits!.dtype);
            Assert.True(output.Logits.isfinite().all().item<bool>(), "bf16 logits are not finite");
            using var columns = GoldenPrompt.Columns(output.Logits, prompt["logits_col_ids"]);
            float[] expected = GoldenPrompt.At(prompt["prefill_logits_cols"], 0, prompt.Length - 1);
            float[] actual = TensorAssert.Floats(columns);
            double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            // bf16 end to end drifts by about 0.1 from the float32 goldens; far more means a real error.
            Assert.True(worst < 1.0, $"bf16 logits differ from the float32 goldens by {worst}");
        }
    }

    private void CompareWithWholeModel(List<Qwen2VLStage> stages, GoldenPrompt prompt)
    {
        var whole = _model.Stage;
        var wholeCaches = NewCaches(whole, prompt.Batch);
        var stageCaches = stages.Select(s => NewCaches(s, prompt.Batch)).ToList();
        var (images, videos) = prompt.EncodeVision(stages[0]);
        try
        {
            var expected = whole.Forward(prompt.Prefill(wholeCaches, images, videos, allLogits: true, capture: false));
            var actual = RunStages(stages, i => prompt.Prefill(stageCaches[i], images, videos, allLogits: true, capture: false));
            try
            {
                for (int step = 0; ; step++)
                {
                    double diff = TensorAssert.MaxAbsDiff(expected.Logits!, actual.Logits!);
                    Assert.True(diff <= 1e-5, $"{prompt.CaseName}{prompt.Prefix} step {step}: {stages.Count} stages differ from the whole model by {diff}");
                    if (step == DecodeSteps)
                    {
                        break;
                    }

                    using var lastRows = expected.Logits!.index_select(0, LastRows(prompt, step));
                    using var argmax = lastRows.argmax(-1);
                    long[] tokens = argmax.data<long>().ToArray();
                    expected.Dispose();
                    actual.Dispose();
                    expected = whole.Forward(prompt.DecodeStep(wholeCaches, tokens, step));
                    actual = RunStages(stages, i => prompt.DecodeStep(stageCaches[i], tokens, step));
                }
            }
            finally
            {
                expected.Dispose();
                actual.Dispose();
            }
        }
        finally
        {
            images?.Dispose();
            videos?.Dispose();
            wholeCaches.ForEach(c => c.Dispose());
            stageCaches.ForEach(list => list.ForEach(c => c.Dispose()));
        }
    }

    private static Tensor LastRows(GoldenPrompt prompt, int step)
    {
        if (step > 0)
        {
            return arange(prompt.Batch, dtype: ScalarType.Int64);
        }

        var ends = new List<long>();
        long end = -1;
        foreach (var columns in prompt.ValidColumns)
        {
            end += columns.Length;
            ends.Add(end);
        }

        return tensor(ends.ToArray());
    }

    private static StageOutput RunStages(List<Qwen2VLStage> stages, Func<int, StageInput> inputFor)
    {
        StageOutput? previous = null;
        for (int i = 0; i < stages.Count; i++)
        {
            var input = inputFor(i);
            if (i > 0)
            {
                input = new StageInput
                {
                    Segments = input.Segments,
                    PositionIds = input.PositionIds,
                    Hidden = previous!.Hidden,
                    LogitRows = input.LogitRows,
                };
            }

            var output = stages[i].Forward(input);
            previous?.Dispose();
            previous = output;
        }

        return previous!;
    }

    private static List<KvCache> NewCaches(Qwen2VLStage stage, int count) =>
        Enumerable.Range(0, count).Select(_ => stage.CreateKvCache(8, 4096)).ToList();
}
