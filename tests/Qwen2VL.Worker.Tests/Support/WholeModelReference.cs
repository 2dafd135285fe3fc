using Qwen2VL.Engine.Tests.Support;
using Qwen2VL.Model.Stages;
using static TorchSharp.torch;

namespace Qwen2VL.Worker.Tests.Support;

/// <summary>What the whole model computes for a prompt, stage by hand: the logits of prefill and of the next decode steps.</summary>
public static class WholeModelReference
{
    /// <summary>Logits of the prompt's last token, then of each of the first <paramref name="decodeSteps"/> golden tokens fed back.</summary>
    public static List<float[]> Logits(Qwen2VLStage whole, GoldenPrompt prompt, int decodeSteps)
    {
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        int length = prompt.Tokens.Length;
        using var cache = whole.CreateKvCache(length + decodeSteps, length + decodeSteps);
        var (images, videos) = Vision(whole, prompt);
        var result = new List<float[]>();
        using (var prefill = whole.Forward(new StageInput
        {
            Segments = new[] { new SequenceSegment(cache, 0, length) },
            InputIds = tensor(prompt.Tokens.Select(t => (long)t).ToArray()),
            PositionIds = tensor(prompt.Positions, new long[] { 3, length }),
            ImageEmbeds = images,
            VideoEmbeds = videos,
            LogitRows = new long[] { length - 1 },
        }))
        {
            result.Add(prefill.Logits!.data<float>().ToArray());
        }

        for (int i = 0; i < decodeSteps; i++)
        {
            long position = length + i + prompt.RopeDelta;
            using var step = whole.Forward(new StageInput
            {
                Segments = new[] { new SequenceSegment(cache, length + i, 1) },
                InputIds = tensor(new long[] { prompt.ExpectedTokens[i] }),
                PositionIds = tensor(new[] { position, position, position }, new long[] { 3, 1 }),
                LogitRows = new long[] { 0 },
            });
            result.Add(step.Logits!.data<float>().ToArray());
        }

        return result;
    }

    /// <summary>Each media item encoded on its own and concatenated per kind, as the engine does.</summary>
    private static (Tensor? Images, Tensor? Videos) Vision(Qwen2VLStage whole, GoldenPrompt prompt)
    {
        var images = new List<Tensor>();
        var videos = new List<Tensor>();
        foreach (var media in prompt.Media)
        {
            var pixels = tensor(media.PixelValues, new long[] { media.Patches, media.PixelValues.Length / media.Patches });
            var grid = tensor(new long[] { media.GridT, media.GridH, media.GridW }, new long[] { 1, 3 });
            (media.IsVideo ? videos : images).Add(whole.EncodeVision(pixels, grid));
        }

        return (images.Count == 0 ? null : cat(images, 0), videos.Count == 0 ? null : cat(videos, 0));
    }
}
