using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Tests.Fakes;

namespace Qwen2VL.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SessionFailoverTests(ClusterFixture fixture)
{
    private const string Tenant = "failover";

    private async Task<(ISessionGrain Session, string ModelId, string SessionId)> NewSessionAsync(params string[] workerSuffixes)
    {
        string model = TestWorkers.NewModelId();
        await TestWorkers.RegisterSingleStagePipelinesAsync(fixture.Grains, model, [.. workerSuffixes.Select(s => $"{model}-{s}")]);
        string sessionId = Guid.NewGuid().ToString("n");
        var session = fixture.Grains.GetSession(Tenant, sessionId);
        await session.CreateAsync(new CreateSessionRequest(model, "You are terse.", new SamplingSettings { MaxTokens = 10 }));
        return (session, model, sessionId);
    }

    [Theory]
    [InlineData(PipelineFailureKind.LeaseLost)]
    [InlineData(PipelineFailureKind.WorkerDied)]
    public async Task ChatAsync_PipelineFailsMidAnswer_ContinuesOnAnotherPipelineWithFullHistory(PipelineFailureKind kind)
    {
        var (session, model, sessionId) = await NewSessionAsync("a", "b");
        await session.ChatAsync(TurnStreams.UserTurn("first")).CollectAsync();
        string firstPipeline = (await session.GetAsync()).Lease!.Pipeline.Id;
        fixture.Backend.ForModel(model).FailNext(new PipelineFailure(firstPipeline, AfterTokens: 1, kind));

        var events = await session.ChatAsync(TurnStreams.UserTurn("second")).CollectAsync();

        // The client sees every token once, as if nothing happened.
        Assert.Equal("Hello, world", events.DeltaText());
        Assert.Equal([1000, 1001, 1002], events.DeltaTokenIds());
        Assert.Equal(new TurnUsage(PromptTokens: 40, CompletionTokens: 3, CachedPromptTokens: 0), events.Completion().Usage);

        var calls = fixture.Backend.RequestsFor(model);
        Assert.Equal(3, calls.Count);
        var (failed, resumed) = (calls[1], calls[2]);
        Assert.Equal(firstPipeline, failed.Pipeline.Id);
        Assert.NotEqual(firstPipeline, resumed.Pipeline.Id);
        string[] fullHistory = ["You are terse.", "first", "Hello, world", "second"];
        Assert.Equal(fullHistory, failed.Conversation.Select(m => m.Text));
        Assert.Equal(fullHistory, resumed.Conversation.Select(m => m.Text));
        Assert.Equal([1000], resumed.ContinuationTokenIds);
        Assert.Equal(9, resumed.Sampling.MaxTokens);
        Assert.Equal($"{Tenant}/{sessionId}#2", resumed.SequenceKey);

        var info = await session.GetAsync();
        Assert.Equal(["first", "Hello, world", "second", "Hello, world"], info.History.Select(m => m.Text));
        Assert.Equal(resumed.Pipeline.Id, info.Lease!.Pipeline.Id);
        Assert.Equal(2, info.Lease.Epoch);
    }

    [Fact]
    public async Task ChatAsync_LeasedWorkerRestarted_PrefillsHistoryOnNewLeaseWithoutFailing()
    {
        var (session, model, sessionId) = await NewSessionAsync("a");
        await session.ChatAsync(TurnStreams.UserTurn("first")).CollectAsync();
        // Same worker id, new process: its caches are gone, so the old lease must not be reused.
        await fixture.Grains.GetWorkerDirectory().RegisterAsync(TestWorkers.Worker(model, $"{model}-a", instance: "i2"));

        await session.ChatAsync(TurnStreams.UserTurn("second")).CollectAsync();

        var last = fixture.Backend.RequestsFor(model)[^1];
        Assert.Equal($"{Tenant}/{sessionId}#2", last.SequenceKey);
        Assert.Equal("i2", last.Pipeline.Stages[0].InstanceId);
        Assert.Equal(4, last.Conversation.Count);
    }

    [Fact]
    public async Task ChatAsync_EveryPipelineFails_ThrowsRetriableErrorAndStoresNothing()
    {
        var (session, model, _) = await NewSessionAsync("a", "b");
        var script = fixture.Backend.ForModel(model);
        script.FailNext(new PipelineFailure(null, 1, PipelineFailureKind.WorkerDied))
              .FailNext(new PipelineFailure(null, 0, PipelineFailureKind.LeaseLost));

        var error = await Assert.ThrowsAsync<GenerationUnavailableException>(
            () => session.ChatAsync(TurnStreams.UserTurn("doomed", "req-x")).CollectAsync());

        Assert.True(error.IsRetriable);
        Assert.Equal(2, error.Attempts);
        Assert.Equal([$"{model}-a", $"{model}-b"], error.TriedPipelines.Order());
        Assert.Contains("lost the cache", error.Message, StringComparison.Ordinal);
        var info = await session.GetAsync();
        Assert.Empty(info.History);
        Assert.Null(info.Lease);

        // Nothing was stored under the request id, so the retry generates.
        var retried = await session.ChatAsync(TurnStreams.UserTurn("doomed", "req-x")).CollectAsync();
        Assert.False(retried.Completion().Replayed);
        Assert.Equal(2, (await session.GetAsync()).History.Count);
    }

    [Fact]
    public async Task ChatAsync_NoPipelineServesTheModel_ThrowsRetriableError()
    {
        var session = fixture.Grains.GetSession(Tenant, Guid.NewGuid().ToString("n"));
        await session.CreateAsync(new CreateSessionRequest(TestWorkers.NewModelId()));

        var error = await Assert.ThrowsAsync<GenerationUnavailableException>(
            () => session.ChatAsync(TurnStreams.UserTurn("anyone?")).CollectAsync());

        Assert.Equal(0, error.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(5), error.RetryAfter);
    }

    [Fact]
    public async Task ChatAsync_AttemptsExhausted_StopsAtTheConfiguredBound()
    {
        var (session, model, _) = await NewSessionAsync("a", "b", "c", "d");
        var script = fixture.Backend.ForModel(model);
        for (int i = 0; i < 4; i++)
        {
            script.FailNext(new PipelineFailure(null, 0, PipelineFailureKind.WorkerDied));
        }

        var error = await Assert.ThrowsAsync<GenerationUnavailableException>(
            () => session.ChatAsync(TurnStreams.UserTurn("x")).CollectAsync());

        Assert.Equal(3, error.Attempts);
        Assert.Equal(3, fixture.Backend.RequestsFor(model).Count);
    }

    [Fact]
    public async Task ChatAsync_LogprobsAndPipelineFailsMidAnswer_ReportsEachTokensLogprobOnceInOrder()
    {
        var (session, model, _) = await NewSessionAsync("a", "b");
        fixture.Backend.ForModel(model).FailNext(new PipelineFailure(null, AfterTokens: 2, PipelineFailureKind.WorkerDied));
        var turn = TurnStreams.UserTurn("with logprobs") with { Sampling = new SamplingSettings { Logprobs = true, TopLogprobs = 2 } };

        var events = await session.ChatAsync(turn).CollectAsync();

        var logprobs = events.OfType<TextDelta>().SelectMany(d => d.Logprobs!).ToList();
        Assert.Equal([ModelScript.LogprobOf(0, 2), ModelScript.LogprobOf(1, 2), ModelScript.LogprobOf(2, 2)], logprobs, GeneratedLogprobComparer.Instance);
        // The replacement pipeline was asked for logprobs too.
        Assert.All(fixture.Backend.RequestsFor(model), r => Assert.Equal((true, 2), (r.Sampling.Logprobs, r.Sampling.TopLogprobs)));
    }

    [Fact]
    public async Task ChatAsync_ReplayedTurn_HasNoLogprobs()
    {
        var (session, _, _) = await NewSessionAsync("a");
        var turn = TurnStreams.UserTurn("once", "req-logprobs") with { Sampling = new SamplingSettings { Logprobs = true } };
        var first = await session.ChatAsync(turn).CollectAsync();

        var replayed = await session.ChatAsync(turn).CollectAsync();

        Assert.All(first.OfType<TextDelta>(), d => Assert.NotNull(d.Logprobs));
        Assert.True(replayed.Completion().Replayed);
        Assert.All(replayed.OfType<TextDelta>(), d => Assert.Null(d.Logprobs));
    }

    [Fact]
    public async Task ChatAsync_WithoutLogprobs_DeltasCarryNone()
    {
        var (session, _, _) = await NewSessionAsync("a");

        var events = await session.ChatAsync(TurnStreams.UserTurn("plain")).CollectAsync();

        Assert.All(events.OfType<TextDelta>(), d => Assert.Null(d.Logprobs));
    }

    [Fact]
    public async Task ChatAsync_MediaOptions_AreStoredWithThePartAndResentOnEveryPrefill()
    {
        var (session, model, _) = await NewSessionAsync("a", "b");
        var image = await fixture.Media.PutAsync(Tenant, new byte[] { 4, 5, 6 }, "image/png");
        var options = new MediaOptions { MinPixels = 784, MaxPixels = 448 * 448 };
        var message = new ChatMessage(ChatRole.User, [ContentPart.FromImage(image, options), ContentPart.FromText("look")]);
        await session.ChatAsync(new TurnRequest("with-options", [message])).CollectAsync();
        string firstPipeline = (await session.GetAsync()).Lease!.Pipeline.Id;
        fixture.Backend.ForModel(model).FailNext(new PipelineFailure(firstPipeline, AfterTokens: 0, PipelineFailureKind.LeaseLost));

        await session.ChatAsync(TurnStreams.UserTurn("and now?")).CollectAsync();

        Assert.Equal(options, (await session.GetAsync()).History[0].Content[0].Options);
        var calls = fixture.Backend.RequestsFor(model);
        Assert.Equal(3, calls.Count);
        // The first turn, the failed second turn and its prefill on the other pipeline all render the image alike.
        Assert.All(calls, c => Assert.Equal(options, c.Conversation.Single(m => m.Media.Any()).Content[0].Options));
        Assert.NotEqual(firstPipeline, calls[2].Pipeline.Id);
    }
}
