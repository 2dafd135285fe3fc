using Qwen2VL.Model.Tests.Support;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

[Collection(ModelCollection.Name)]
[Trait("Category", "Golden")]
public class TextGoldenTests
{
    private const double LogitsAtol = 5e-4;
    private const double LogsumexpAtol = 1e-4;
    private readonly ModelFixture _model;

    public TextGoldenTests(ModelFixture model) => _model = model;

    public static TheoryData<string, string> RopeCases() => GoldenCases.With("position_ids", "mrope_cos", "mrope_sin");

    public static TheoryData<string, string> PrefillCases() =>
        GoldenCases.With("input_ids", "position_ids", "lm_hidden_states", "prefill_logits_cols", "prefill_logsumexp", "logits_col_ids");

    public static TheoryData<string, string> DecodeCases() =>
        GoldenCases.With("input_ids", "position_ids", "gen_tokens", "gen_position_ids", "gen_logits_cols", "gen_logsumexp", "logits_col_ids");

    [Theory]
    [MemberData(nameof(RopeCases))]
    public void MultimodalRope_GoldenPositions_MatchCosSin(string caseName, string prefix)
    {
        var prompt = new GoldenPrompt(caseName, prefix);
        for (int b = 0; b < prompt.Batch; b++)
        {
            var columns = prompt.ValidColumns[b];
            var positions = new long[3 * columns.Length];
            for (int axis = 0; axis < 3; axis++)
            {
                for (int i = 0; i < columns.Length; i++)
                {
                    positions[(axis * columns.Length) + i] = prompt.Positions[(((axis * prompt.Batch) + b) * prompt.Length) + columns[i]];
                }
            }

            using var ids = tensor(positions, new long[] { 3, columns.Length });
            var (cos, sin) = _model.Stage.Rope.Compute(ids);
            using (cos)
            using (sin)
            {
                float[] expectedCos = columns.SelectMany(c => GoldenPrompt.At(prompt["mrope_cos"], b, c)).ToArray();
                float[] expectedSin = columns.SelectMany(c => GoldenPrompt.At(prompt["mrope_sin"], b, c)).ToArray();
                TensorAssert.Close(expectedCos, TensorAssert.Floats(cos), 1e-5, 0, $"{caseName} row {b} mrope cos");
                TensorAssert.Close(expectedSin, TensorAssert.Floats(sin), 1e-5, 0, $"{caseName} row {b} mrope sin");
            }
        }
    }

    [Theory]
    [MemberData(nameof(PrefillCases))]
    public void Prefill_GoldenCase_MatchesHiddenStatesAndLogits(string caseName, string prefix)
    {
        var stage = _model.Stage;
        var prompt = new GoldenPrompt(caseName, prefix);
        var caches = Enumerable.Range(0, prompt.Batch).Select(_ => stage.CreateKvCache(16, 4096)).ToList();
        var (images, videos) = prompt.EncodeVision(stage);
        try
        {
            using var output = stage.Forward(prompt.Prefill(caches, images, videos, allLogits: true, capture: true));
            var layout = prompt.FlatLayout().ToList();
            var hidden = prompt["lm_hidden_states"];
            Assert.Equal(hidden.Shape[0], output.HiddenStates.Count);
            long hiddenSize = hidden.Shape[^1];
            float[] allHidden = hidden.AsFloat32();
            for (int layer = 0; layer < output.HiddenStates.Count; layer++)
            {
                float[] actual = TensorAssert.Floats(output.HiddenStates[layer]);
                var expected = new float[actual.Length];
                foreach (var (row, column, flat) in layout)
                {
                    long start = (((layer * prompt.Batch) + row) * prompt.Length + column) * hiddenSize;
                    Array.Copy(allHidden, start, expected, flat * hiddenSize, hiddenSize);
                }

                TensorAssert.Close(expected, actual, 2e-4, 1e-4, $"{caseName}{prefix} hidden state {layer}");
            }

            using var columns = GoldenPrompt.Columns(output.Logits!, prompt["logits_col_ids"]);
            float[] expectedLogits = layout.SelectMany(x => GoldenPrompt.At(prompt["prefill_logits_cols"], x.Row, x.Column)).ToArray();
            TensorAssert.Close(expectedLogits, TensorAssert.Floats(columns), LogitsAtol, 0, $"{caseName}{prefix} prefill logits");

            using var lse = output.Logits!.logsumexp(-1);
            float[] expectedLse = layout.SelectMany(x => GoldenPrompt.At(prompt["prefill_logsumexp"], x.Row, x.Column)).ToArray();
            TensorAssert.Close(expectedLse, TensorAssert.Floats(lse), LogsumexpAtol, 0, $"{caseName}{prefix} prefill logsumexp");
        }
        finally
        {
            images?.Dispose();
            videos?.Dispose();
            caches.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(DecodeCases))]
    public void GreedyDecode_GoldenCase_MatchesEveryStep(string caseName, string prefix)
    {
        var stage = _model.Stage;
        var prompt = new GoldenPrompt(caseName, prefix);
        var caches = Enumerable.Range(0, prompt.Batch).Select(_ => stage.CreateKvCache(8, 4096)).ToList();
        var (images, videos) = prompt.EncodeVision(stage);
        try
        {
            using var output = stage.Forward(prompt.Prefill(caches, images, videos, allLogits: false, capture: false));
            GoldenDecode.CheckSteps(stage, prompt, caches, output.Logits!, firstStep: 0, $"{caseName}{prefix}");
        }
        finally
        {
            images?.Dispose();
            videos?.Dispose();
            caches.ForEach(c => c.Dispose());
        }
    }
}
