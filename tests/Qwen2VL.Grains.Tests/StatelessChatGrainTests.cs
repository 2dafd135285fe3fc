using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Tests;

/// <summary>
/// The keys and routing of stateless requests, read from the calls the scripted pipelines receive: each request keeps
/// its cache under the key of its whole conversation and names the keys of its earlier prefixes, and a conversation
/// that grows in the usual chat loop stays on one pipeline.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StatelessChatGrainTests(ClusterFixture fixture)
{
    private const string Tenant = "stateless";

    private static readonly ChatMessage System = ChatMessage.FromText(ChatRole.System, "You are terse.");

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task GenerateAsync_ConversationGrowingOverTenRequests_EachNamesThePreviousKeyOnOnePipeline(int pipelines)
    {
        string model = await RegisterAsync(pipelines);
        var conversation = new List<ChatMessage> { System };

        for (int turn = 1; turn <= 10; turn++)
        {
            conversation.Add(ChatMessage.FromText(ChatRole.User, $"question {turn}"));
            // Sampling changes nothing in keys and values, so it must not change the keys either.
            var events = await SendAsync(model, conversation, new SamplingSettings { Temperature = turn % 2 });
            conversation.Add(ChatMessage.FromText(ChatRole.Assistant, events.Completion().Text));
            await HeartbeatAllAsync(model, pipelines);
        }

        var calls = fixture.Backend.RequestsFor(model);
        Assert.Equal(10, calls.Count);
        Assert.Single(calls.Select(c => c.Pipeline.Id).Distinct());
        Assert.All(calls, c => Assert.True(c.KeepCache));
        Assert.Empty(calls[0].ReuseKeys ?? []);
        for (int i = 1; i < calls.Count; i++)
        {
            // Longest prefix first: the previous request's conversation, then the one before it, and so on.
            Assert.Equal(calls[i - 1].SequenceKey, calls[i].ReuseKeys![0]);
            Assert.Equal(calls.Take(i).Select(c => c.SequenceKey).Reverse(), calls[i].ReuseKeys);
        }

        Assert.Equal(10, calls.Select(c => c.SequenceKey).Distinct().Count());
        Assert.All(calls.SelectMany(c => c.ReuseKeys!.Append(c.SequenceKey)), key => Assert.StartsWith($"{Tenant}/", key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GenerateAsync_ConversationsWithDifferentFirstMessages_SpreadOverPipelines()
    {
        string model = await RegisterAsync(3);

        for (int i = 0; i < 12; i++)
        {
            await SendAsync(model, [ChatMessage.FromText(ChatRole.System, $"persona {i}"), ChatMessage.FromText(ChatRole.User, "hi")]);
            await HeartbeatAllAsync(model, 3);
        }

        // Rendezvous hashing of the first message: 12 keys on one of 3 pipelines has probability 3⁻¹¹.
        Assert.True(fixture.Backend.RequestsFor(model).Select(c => c.Pipeline.Id).Distinct().Count() > 1);
    }

    [Fact]
    public async Task GenerateAsync_AffinityPipelineFull_SpillsThenReturnsNamingTheOlderKeys()
    {
        string model = await RegisterAsync(2);
        List<ChatMessage> turn1 = [System, ChatMessage.FromText(ChatRole.User, "first")];
        await SendAsync(model, turn1);
        string home = fixture.Backend.RequestsFor(model)[0].Pipeline.Id;
        await fixture.Grains.GetWorkerDirectory().HeartbeatAsync(new WorkerHeartbeat(home, "i1", RunningSequences: 8, FreeKvTokens: 0));

        List<ChatMessage> turn2 = [.. turn1, ChatMessage.FromText(ChatRole.Assistant, "Hello, world"), ChatMessage.FromText(ChatRole.User, "second")];
        await SendAsync(model, turn2);
        await HeartbeatAllAsync(model, 2);
        List<ChatMessage> turn3 = [.. turn2, ChatMessage.FromText(ChatRole.Assistant, "Hello, world"), ChatMessage.FromText(ChatRole.User, "third")];
        await SendAsync(model, turn3);

        var calls = fixture.Backend.RequestsFor(model);
        // A full pipeline takes no new placements: turn 2 runs elsewhere, without the kept cache of turn 1 ...
        Assert.NotEqual(home, calls[1].Pipeline.Id);
        // ... and turn 3 goes home again, where the key of turn 1 (second in its list) still names a kept cache.
        Assert.Equal(home, calls[2].Pipeline.Id);
        Assert.Equal([calls[1].SequenceKey, calls[0].SequenceKey], calls[2].ReuseKeys);
    }

    [Fact]
    public async Task GenerateAsync_OtherTenantSameConversation_SharesNoKey()
    {
        string model = await RegisterAsync(1);
        List<ChatMessage> conversation = [System, ChatMessage.FromText(ChatRole.User, "first"), ChatMessage.FromText(ChatRole.Assistant, "Hello, world"), ChatMessage.FromText(ChatRole.User, "second")];

        await SendAsync(model, conversation, tenant: "tenant-a");
        await SendAsync(model, conversation, tenant: "tenant-b");

        var (a, b) = (fixture.Backend.RequestsFor(model)[0], fixture.Backend.RequestsFor(model)[1]);
        string[] keysOfA = [a.SequenceKey, .. a.ReuseKeys!];
        string[] keysOfB = [b.SequenceKey, .. b.ReuseKeys!];
        Assert.Equal(2, keysOfB.Length);
        Assert.Empty(keysOfA.Intersect(keysOfB));
        Assert.All(keysOfB, key => Assert.StartsWith("tenant-b/", key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("image")]
    [InlineData("role")]
    [InlineData("options")]
    public async Task GenerateAsync_EarlierMessageAltered_NamesNoKeyOfTheOriginal(string alteration)
    {
        string model = await RegisterAsync(1);
        var picture = new MediaReference(new string('a', 64), "image/png");
        var question = new ChatMessage(ChatRole.User, [ContentPart.FromImage(picture), ContentPart.FromText("what is this?")]);
        var altered = alteration switch
        {
            "text" => new ChatMessage(ChatRole.User, [ContentPart.FromImage(picture), ContentPart.FromText("what is that?")]),
            "image" => new ChatMessage(ChatRole.User, [ContentPart.FromImage(picture with { ContentHash = new string('b', 64) }), ContentPart.FromText("what is this?")]),
            "options" => new ChatMessage(ChatRole.User, [ContentPart.FromImage(picture, new MediaOptions { MaxPixels = 448 * 448 }), ContentPart.FromText("what is this?")]),
            _ => new ChatMessage(ChatRole.System, question.Content),
        };
        var answer = ChatMessage.FromText(ChatRole.Assistant, "Hello, world");
        var next = ChatMessage.FromText(ChatRole.User, "and then?");

        await SendAsync(model, [System, question]);
        await SendAsync(model, [System, question, answer, next]);
        await SendAsync(model, [System, altered, answer, next]);

        var calls = fixture.Backend.RequestsFor(model);
        Assert.Equal([calls[0].SequenceKey], calls[1].ReuseKeys);
        Assert.DoesNotContain(calls[0].SequenceKey, calls[2].ReuseKeys!);
        Assert.NotEqual(calls[1].SequenceKey, calls[2].SequenceKey);
    }

    private async Task<string> RegisterAsync(int pipelines)
    {
        string model = TestWorkers.NewModelId();
        await TestWorkers.RegisterSingleStagePipelinesAsync(fixture.Grains, model, [.. Enumerable.Range(0, pipelines).Select(i => $"{model}-{i}")]);
        return model;
    }

    /// <summary>What the workers' periodic heartbeats do: report their real load (idle here), undoing the placement counts.</summary>
    private async Task HeartbeatAllAsync(string model, int pipelines)
    {
        var directory = fixture.Grains.GetWorkerDirectory();
        for (int i = 0; i < pipelines; i++)
        {
            Assert.True(await directory.HeartbeatAsync(new WorkerHeartbeat($"{model}-{i}", "i1", RunningSequences: 0, FreeKvTokens: 100_000)));
        }
    }

    private Task<List<TurnEvent>> SendAsync(string model, IReadOnlyList<ChatMessage> conversation, SamplingSettings? sampling = null, string tenant = Tenant) =>
        fixture.Grains.GetGrain<IStatelessChatGrain>(Random.Shared.NextInt64())
            .GenerateAsync(new StatelessChatRequest(tenant, model, [.. conversation], sampling ?? new SamplingSettings { MaxTokens = 10 }, Guid.NewGuid().ToString("n")))
            .CollectAsync();
}
