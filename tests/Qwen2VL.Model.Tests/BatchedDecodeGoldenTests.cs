using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Stages;
using Qwen2VL.Model.Text;
using Qwen2VL.Model.Tests.Support;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>
/// Pure decode steps of several sequences (one new token each), which attend in one call over their gathered caches:
/// every sequence must still follow its own goldens, whatever the other sequences' lengths.
/// </summary>
[Collection(ModelCollection.Name)]
[Trait("Category", "Golden")]
public class BatchedDecodeGoldenTests
{
    private const double LogitsAtol = 5e-4;
    private readonly ModelFixture _model;

    public BatchedDecodeGoldenTests(ModelFixture model) => _model = model;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecodeStep_EveryGoldenPromptTogether_EachRowMatchesItsGoldenSteps(bool batchedAttention)
    {
        bool previous = DecoderAttention.BatchDecodeSteps;
        DecoderAttention.BatchDecodeSteps = batchedAttention;
        try
        {
            DecodeAllPromptsTogether();
        }
        finally
        {
            DecoderAttention.BatchDecodeSteps = previous;
        }
    }

    private void DecodeAllPromptsTogether()
    {
        var stage = _model.Stage;
        var prompts = GoldenCases.With("input_ids", "position_ids", "gen_tokens", "gen_position_ids", "gen_logits_cols", "logits_col_ids")
            .Select(row => new GoldenPrompt((string)row[0], (string)row[1]))
            .Where(p => p.Batch == 1)
            .ToList();
        // Prompts of 20 to 84 tokens: the batch pads every cache to the longest and masks the rest.
        Assert.True(prompts.Select(p => p.Length).Distinct().Count() > 3, "the batch needs sequences of different lengths");
        var caches = prompts.Select(_ => stage.CreateKvCache(8, 4096)).ToList();
        try
        {
            var next = new long[prompts.Count];
            for (int i = 0; i < prompts.Count; i++)
            {
                next[i] = Prefill(stage, prompts[i], caches[i]);
            }

            int steps = prompts.Min(p => (int)p["gen_tokens"].Shape[1]);
            for (int step = 1; step < steps; step++)
            {
                // Golden step s is the logits after feeding token s - 1 at its gen position.
                using var output = stage.Forward(DecodeStep(prompts, caches, next, step - 1));
                for (int i = 0; i < prompts.Count; i++)
                {
                    var prompt = prompts[i];
                    using var row = output.Logits!.narrow(0, i, 1);
                    using var columns = GoldenPrompt.Columns(row, prompt["logits_col_ids"]);
                    string what = $"{prompt.CaseName}{prompt.Prefix} step {step} in a decode batch of {prompts.Count}";
                    TensorAssert.Close(GoldenPrompt.At(prompt["gen_logits_cols"], 0, step), TensorAssert.Floats(columns), LogitsAtol, 0, what);
                    using var argmax = row.argmax(-1);
                    next[i] = argmax.item<long>();
                    Assert.True(prompt["gen_tokens"].AsInt64()[step] == next[i], $"{what}: token {next[i]}");
                }
            }
        }
        finally
        {
            caches.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Prefills one prompt alone into its cache and returns its first generated token (checked against the golden).</summary>
    private static long Prefill(Qwen2VLStage stage, GoldenPrompt prompt, KvCache cache)
    {
        var (images, videos) = prompt.EncodeVision(stage);
        using (images)
        using (videos)
        using (var output = stage.Forward(prompt.Prefill(new[] { cache }, images, videos, allLogits: false, capture: false)))
        using (var argmax = output.Logits!.argmax(-1))
        {
            long token = argmax.item<long>();
            Assert.Equal(prompt["gen_tokens"].AsInt64()[0], token);
            return token;
        }
    }

    private static StageInput DecodeStep(List<GoldenPrompt> prompts, List<KvCache> caches, long[] tokens, int fedStep)
    {
        var positions = new long[3 * prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            long[] all = prompts[i]["gen_position_ids"].AsInt64();
            int steps = (int)prompts[i]["gen_position_ids"].Shape[2];
            for (int axis = 0; axis < 3; axis++)
            {
                positions[(axis * prompts.Count) + i] = all[(axis * steps) + fedStep];
            }
        }

        return new StageInput
        {
            Segments = caches.Select(c => new SequenceSegment(c, c.Length, 1)).ToList(),
            InputIds = tensor(tokens),
            PositionIds = tensor(positions, new long[] { 3, prompts.Count }),
        };
    }
}
