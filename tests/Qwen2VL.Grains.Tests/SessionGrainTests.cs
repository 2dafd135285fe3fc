using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SessionGrainTests(ClusterFixture fixture)
{
    private const string Tenant = "acme";

    private async Task<(ISessionGrain Session, string ModelId, string SessionId)> NewSessionAsync(
        string? systemPrompt = "Be brief.", params string[] workers)
    {
        string model = TestWorkers.NewModelId();
        await TestWorkers.RegisterSingleStagePipelinesAsync(fixture.Grains, model, workers.Length == 0 ? [$"{model}-w1"] : workers);
        string sessionId = Guid.NewGuid().ToString("n");
        var session = fixture.Grains.GetSession(Tenant, sessionId);
        await session.CreateAsync(new CreateSessionRequest(model, systemPrompt, new SamplingSettings { Temperature = 0.5f, MaxTokens = 64 }));
        return (session, model, sessionId);
    }

    [Fact]
    public async Task ChatAsync_NewSession_StreamsDeltasThenStoresTheTurn()
    {
        var (session, model, sessionId) = await NewSessionAsync();

        var events = await session.ChatAsync(TurnStreams.UserTurn("Hi")).CollectAsync();

        Assert.Equal(3, events.OfType<TextDelta>().Count());
        Assert.IsType<TurnCompleted>(events[^1]);
        Assert.Equal("Hello, world", events.DeltaText());
        Assert.Equal([1000, 1001, 1002], events.DeltaTokenIds());
        var completed = events.Completion();
        Assert.Equal("Hello, world", completed.Text);
        Assert.False(completed.Replayed);
        Assert.Equal(new TurnUsage(PromptTokens: 20, CompletionTokens: 3, CachedPromptTokens: 0), completed.Usage);

        var info = await session.GetAsync();
        Assert.Equal(2, info.History.Count);
        Assert.Equal((ChatRole.User, "Hi"), (info.History[0].Role, info.History[0].Text));
        Assert.Equal((ChatRole.Assistant, "Hello, world"), (info.History[1].Role, info.History[1].Text));
        Assert.Equal(1, info.TurnCount);
        Assert.Equal(23, info.HistoryTokens);
        Assert.NotNull(info.Lease);
        Assert.Equal(1, info.Lease.Epoch);
        Assert.Equal(23, info.Lease.CoveredTokens);

        var sent = Assert.Single(fixture.Backend.RequestsFor(model));
        Assert.Equal([ChatRole.System, ChatRole.User], sent.Conversation.Select(m => m.Role));
        Assert.Equal("Be brief.", sent.Conversation[0].Text);
        Assert.True(sent.KeepCache);
        Assert.Empty(sent.ContinuationTokenIds);
        Assert.Equal($"{Tenant}/{sessionId}#1", sent.SequenceKey);
        Assert.Equal(Tenant, sent.TenantId);
        Assert.Equal(0.5f, sent.Sampling.Temperature);
    }

    [Fact]
    public async Task ChatAsync_SecondTurn_SendsWholeHistoryToTheLeasedPipeline()
    {
        var (session, model, _) = await NewSessionAsync(null, "second-a", "second-b");
        await session.ChatAsync(TurnStreams.UserTurn("one")).CollectAsync();

        var overrides = new TurnRequest("r2", [ChatMessage.FromText(ChatRole.User, "two")], new SamplingSettings { Temperature = 0f });
        await session.ChatAsync(overrides).CollectAsync();

        var calls = fixture.Backend.RequestsFor(model);
        Assert.Equal(2, calls.Count);
        Assert.Equal(["one", "Hello, world", "two"], calls[1].Conversation.Select(m => m.Text));
        Assert.Equal(calls[0].Pipeline.Id, calls[1].Pipeline.Id);
        Assert.Equal(calls[0].SequenceKey, calls[1].SequenceKey);
        Assert.Equal(0f, calls[1].Sampling.Temperature);
        Assert.Equal(64, calls[1].Sampling.MaxTokens);
        Assert.Equal(4, (await session.GetAsync()).History.Count);
    }

    [Fact]
    public async Task GetAsync_AfterDeactivation_ReturnsPersistedHistory()
    {
        var (session, _, _) = await NewSessionAsync();
        await session.ChatAsync(TurnStreams.UserTurn("remember me")).CollectAsync();

        await fixture.Cluster.DeactivateAsync(session);
        var info = await session.GetAsync();

        Assert.Equal(["remember me", "Hello, world"], info.History.Select(m => m.Text));
        Assert.Equal("Be brief.", info.SystemPrompt);
        Assert.Equal(0.5f, info.DefaultSampling.Temperature);
        Assert.NotNull(info.Lease);
    }

    [Fact]
    public async Task ChatAsync_RepeatedRequestId_ReplaysStoredAnswerWithoutGenerating()
    {
        var (session, model, _) = await NewSessionAsync();
        var first = await session.ChatAsync(TurnStreams.UserTurn("Hi", "req-1")).CollectAsync();

        var again = await session.ChatAsync(TurnStreams.UserTurn("Hi", "req-1")).CollectAsync();

        Assert.Single(fixture.Backend.RequestsFor(model));
        Assert.True(again.Completion().Replayed);
        Assert.Equal(first.Completion().Text, again.Completion().Text);
        Assert.Equal(first.Completion().Usage, again.Completion().Usage);
        Assert.Equal(first.DeltaTokenIds(), again.DeltaTokenIds());
        Assert.Equal(2, (await session.GetAsync()).History.Count);
    }

    [Fact]
    public async Task ChatAsync_WhileAnotherTurnStreams_IsRefusedAsBusy()
    {
        var (session, model, _) = await NewSessionAsync();
        var script = fixture.Backend.ForModel(model);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        script.HoldAfterFirstToken = hold;

        await using var running = session.ChatAsync(TurnStreams.UserTurn("first", "turn-1")).GetAsyncEnumerator();
        Assert.True(await running.MoveNextAsync());
        var busy = await Assert.ThrowsAsync<SessionBusyException>(
            () => session.ChatAsync(TurnStreams.UserTurn("second", "turn-2")).CollectAsync());
        Assert.Equal(("turn-1", "turn-2"), (busy.RunningRequestId, busy.RefusedRequestId));

        hold.SetResult();
        while (await running.MoveNextAsync())
        {
        }

        script.HoldAfterFirstToken = null;
        await session.ChatAsync(TurnStreams.UserTurn("second", "turn-2")).CollectAsync();
        Assert.Equal(["first", "Hello, world", "second", "Hello, world"], (await session.GetAsync()).History.Select(m => m.Text));
    }

    [Fact]
    public async Task ChatAsync_ClientStopsReadingMidTurn_StoresNothingAndFreesTheSession()
    {
        var (session, model, _) = await NewSessionAsync();
        var script = fixture.Backend.ForModel(model);
        script.HoldAfterFirstToken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await foreach (var e in session.ChatAsync(TurnStreams.UserTurn("abandoned", "gone")))
        {
            Assert.IsType<TextDelta>(e);
            break;
        }

        script.HoldAfterFirstToken = null;
        Assert.Empty((await session.GetAsync()).History);
        var retried = await session.ChatAsync(TurnStreams.UserTurn("abandoned", "gone")).CollectAsync();
        Assert.False(retried.Completion().Replayed);
        Assert.Equal(2, (await session.GetAsync()).History.Count);
    }

    [Fact]
    public async Task ChatAsync_MediaInTheStore_IsSentByHash()
    {
        var (session, model, _) = await NewSessionAsync();
        var image = await fixture.Media.PutAsync(Tenant, new byte[] { 1, 2, 3 }, "image/png");
        var message = new ChatMessage(ChatRole.User, [ContentPart.FromImage(image), ContentPart.FromText("What is this?")]);

        await session.ChatAsync(new TurnRequest("img", [message])).CollectAsync();

        var sent = fixture.Backend.RequestsFor(model)[0].Conversation[^1];
        Assert.Equal(image, Assert.Single(sent.Media));
        Assert.Equal(image, Assert.Single((await session.GetAsync()).History[0].Media));
    }

    [Fact]
    public async Task ChatAsync_MediaNotInTheStore_IsRefusedBeforeGenerating()
    {
        var (session, model, _) = await NewSessionAsync();
        string missing = MediaHash.Compute("never uploaded"u8);
        var message = new ChatMessage(ChatRole.User, [ContentPart.FromImage(new MediaReference(missing, "image/png"))]);

        var error = await Assert.ThrowsAsync<MediaNotFoundException>(() => session.ChatAsync(new TurnRequest("m", [message])).CollectAsync());

        Assert.Equal(missing, error.ContentHash);
        Assert.Empty(fixture.Backend.RequestsFor(model));
    }

    [Fact]
    public async Task ChatAsync_AssistantMessageInTurn_IsRejected()
    {
        var (session, _, _) = await NewSessionAsync();
        var turn = new TurnRequest("bad", [ChatMessage.FromText(ChatRole.Assistant, "I said")]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => session.ChatAsync(turn).CollectAsync());

        Assert.Contains("role Assistant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatAsync_HistoryAtContextLimit_IsRefused()
    {
        var (session, _, _) = await NewSessionAsync();
        await session.ChatAsync(TurnStreams.UserTurn("fill")).CollectAsync();

        var error = await Assert.ThrowsAsync<ContextLimitExceededException>(
            () => session.ChatAsync(TurnStreams.UserTurn("more") with { MaxContextTokens = 23 }).CollectAsync());

        Assert.Equal((23L, 23), (error.HistoryTokens, error.MaxContextTokens));
    }

    [Fact]
    public async Task CreateAsync_ExistingSession_Throws()
    {
        var (session, model, _) = await NewSessionAsync();

        await Assert.ThrowsAsync<SessionAlreadyExistsException>(() => session.CreateAsync(new CreateSessionRequest(model)));
    }

    [Fact]
    public async Task GetAsync_UnknownSession_ThrowsNotFound()
    {
        var session = fixture.Grains.GetSession(Tenant, "never-created");

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(session.GetAsync);

        Assert.Equal($"{Tenant}/never-created", error.SessionKey);
    }

    [Fact]
    public async Task DeleteAsync_SessionWithLease_ReleasesCacheAndForgetsHistory()
    {
        var (session, _, sessionId) = await NewSessionAsync();
        await session.ChatAsync(TurnStreams.UserTurn("bye")).CollectAsync();
        var lease = (await session.GetAsync()).Lease!;

        Assert.True(await session.DeleteAsync());

        Assert.Contains((lease.Pipeline.Id, $"{Tenant}/{sessionId}#1"), fixture.Backend.Releases);
        await Assert.ThrowsAsync<SessionNotFoundException>(session.GetAsync);
        Assert.False(await session.DeleteAsync());
    }
}
