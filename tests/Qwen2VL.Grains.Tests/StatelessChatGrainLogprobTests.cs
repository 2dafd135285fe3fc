using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Tests.Fakes;

namespace Qwen2VL.Grains.Tests;

/// <summary>Log probabilities of stateless answers survive a pipeline failure mid-answer.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StatelessChatGrainLogprobTests(ClusterFixture fixture)
{
    private const string Tenant = "stateless";

    [Fact]
    public async Task GenerateAsync_LogprobsAndPipelineFailsMidAnswer_ReportsEachTokensLogprobOnceInOrder()
    {
        string model = TestWorkers.NewModelId();
        await TestWorkers.RegisterSingleStagePipelinesAsync(fixture.Grains, model, $"{model}-a", $"{model}-b");
        fixture.Backend.ForModel(model).FailNext(new PipelineFailure(null, AfterTokens: 1, PipelineFailureKind.WorkerDied));
        var request = new StatelessChatRequest(Tenant, model, [ChatMessage.FromText(ChatRole.User, "hi")],
            new SamplingSettings { Logprobs = true, TopLogprobs = 3 }, Guid.NewGuid().ToString("n"));

        var events = await fixture.Grains.GetGrain<IStatelessChatGrain>(Random.Shared.NextInt64()).GenerateAsync(request).CollectAsync();

        Assert.Equal("Hello, world", events.DeltaText());
        var logprobs = events.OfType<TextDelta>().SelectMany(d => d.Logprobs!).ToList();
        Assert.Equal([ModelScript.LogprobOf(0, 3), ModelScript.LogprobOf(1, 3), ModelScript.LogprobOf(2, 3)], logprobs, GeneratedLogprobComparer.Instance);
        var calls = fixture.Backend.RequestsFor(model);
        Assert.Equal(2, calls.Count);
        Assert.Equal([1000], calls[1].ContinuationTokenIds);
        Assert.All(calls, c => Assert.Equal((true, 3), (c.Sampling.Logprobs, c.Sampling.TopLogprobs)));
    }
}
