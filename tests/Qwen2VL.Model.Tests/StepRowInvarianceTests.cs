using System.Text.Json.Nodes;
using Qwen2VL.Model.Cache;
using Qwen2VL.Model.Config;
using Qwen2VL.Model.Layers;
using Qwen2VL.Model.Stages;
using Qwen2VL.Tests.Shared;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests;

/// <summary>
/// A sequence's decode step in bf16 gives bit-identical logits whatever shares the step: other decode tokens (up to
/// more than the kernel's row limit) and prompt chunks. Greedy answers then never depend on batching, and a pipeline
/// (which batches differently from one stage) answers exactly like one stage.
/// </summary>
public sealed class StepRowInvarianceTests
{
    private const int History = 7;

    [Fact]
    public void DecodeStep_AloneOrAmongManyDecodesAndAPromptChunk_SameLogitsBitForBit()
    {
        if (!LinearProjection.NativeKernelAvailable)
        {
            return; // Without the kernel the decode path is LibTorch's, whose rows depend on the batch shape.
        }

        using var scope = NewDisposeScope();
        using var stage = RandomStage();
        const int others = Bf16NativeLinear.MaxInputRows + 3;
        var caches = Enumerable.Range(0, others + 2).Select(_ => stage.CreateKvCache(16, 256)).ToList();
        try
        {
            for (int c = 0; c < caches.Count; c++)
            {
                using var prefill = stage.Forward(Step((caches[c], 0, History + c)));
            }

            var target = (caches[0], History, 1);
            using var alone = stage.Forward(Step(target));
            var expected = alone.Logits!.narrow(0, 0, 1);

            // The target's token again (its cache rolled back), while every other sequence decodes too (more rows than
            // one kernel call takes) and one more sends a prompt chunk.
            var crowd = new List<(KvCache, int, int)> { target };
            crowd.AddRange(caches.Skip(1).Take(others).Select(c => (c, c.Length, 1)));
            crowd.Add((caches[^1], caches[^1].Length, 5));
            using var crowded = stage.Forward(Step([.. crowd]));
            var actual = crowded.Logits!.narrow(0, 0, 1);

            Assert.Equal(others + 2, crowded.Logits!.shape[0]);
            Assert.True(actual.eq(expected).all().item<bool>(),
                $"the decode row changed with its neighbours: max difference {(actual - expected).abs().max().item<float>()}");
        }
        finally
        {
            caches.ForEach(c => c.Dispose());
        }
    }

    /// <summary>A step of new tokens for each (cache, tokens already cached, new tokens), in the order given.</summary>
    private static StageInput Step(params (KvCache Cache, int Cached, int NewTokens)[] parts)
    {
        int total = parts.Sum(p => p.NewTokens);
        var ids = new long[total];
        var positions = new long[3 * total];
        int row = 0;
        foreach (var (_, cached, count) in parts)
        {
            for (int i = 0; i < count; i++, row++)
            {
                ids[row] = 100 + ((cached + i) * 37 % 5000);
                for (int axis = 0; axis < 3; axis++)
                {
                    positions[(axis * total) + row] = cached + i;
                }
            }
        }

        return new StageInput
        {
            Segments = parts.Select(p => new SequenceSegment(p.Cache, p.Cached, p.NewTokens)).ToList(),
            InputIds = tensor(ids),
            PositionIds = tensor(positions, new long[] { 3, total }),
        };
    }

    /// <summary>
    /// The tiny checkpoint's architecture widened to head_dim 32, so the native decode attention applies too, with
    /// random bf16 weights.
    /// </summary>
    private static Qwen2VLStage RandomStage()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Checkpoint, "config.json")))!.AsObject();
        json["hidden_size"] = 128;
        json["intermediate_size"] = 256;
        json["vision_config"]!["hidden_size"] = 128;
        json["rope_scaling"]!["mrope_section"] = new JsonArray(4, 6, 6);
        var config = Qwen2VLConfig.Parse(json.ToJsonString());
        var stage = Qwen2VLStage.Create(config, new LayerRange(0, config.NumHiddenLayers), new ModelPlacement(ScalarType.BFloat16, CPU));
        using var noGrad = no_grad();
        var generator = new Generator(17);
        foreach (var parameter in stage.parameters())
        {
            parameter.normal_(0, 0.05, generator);
        }

        return stage;
    }
}
