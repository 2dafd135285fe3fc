using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Server.Remote;
using GrainRequest = Qwen2VL.Grains.Abstractions.Generation.GenerationRequest;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>What the silo sends over the worker API is what the worker runs.</summary>
public sealed class WorkerRequestWireTests
{
    private static readonly PipelineReference Pipeline = new("m", [new PipelineStage("w", "i", "http://w:1", new LayerRange(0, 3))]);

    [Fact]
    public void ToProtoFromProto_MediaOptionsAndLogprobs_SurviveTheWire()
    {
        var image = new MediaReference(new string('a', 64), "image/png");
        var video = new MediaReference(new string('b', 64), "video/mp4");
        var imageOptions = new MediaOptions { MaxPixels = 200_704 };
        var videoOptions = new MediaOptions { MinPixels = 784, MaxPixels = 50_000, Fps = 0.5, MaxFrames = 8 };
        var conversation = new[]
        {
            new ChatMessage(ChatRole.User, [ContentPart.FromImage(image, imageOptions), ContentPart.FromVideo(video, videoOptions), ContentPart.FromImage(image)]),
        };
        var request = new GrainRequest(Pipeline, "t", "t/s#1", conversation, new SamplingSettings { Logprobs = true, TopLogprobs = 4 }, true, "r", []);

        var back = WorkerRequestWire.FromProto(WorkerRequestWire.ToProto(request), Pipeline);

        var parts = back.Conversation[0].Content;
        Assert.Equal([imageOptions, videoOptions, null], parts.Select(p => p.Options));
        Assert.Equal((true, 4), (back.Sampling.Logprobs, back.Sampling.TopLogprobs));
    }

    [Fact]
    public void ToProtoFromProto_NothingSet_StaysUnset()
    {
        var request = new GrainRequest(Pipeline, "t", "t/s#1", [ChatMessage.FromText(ChatRole.User, "hi")], SamplingSettings.None, false, "r", []);

        var back = WorkerRequestWire.FromProto(WorkerRequestWire.ToProto(request), Pipeline);

        Assert.Equal(((bool?)null, (int?)null), (back.Sampling.Logprobs, back.Sampling.TopLogprobs));
    }
}
