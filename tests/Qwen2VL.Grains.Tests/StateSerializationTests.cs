using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Sessions;

namespace Qwen2VL.Grains.Tests;

/// <summary>The state types through the silo's grain storage serializer (the JSON that Redis holds).</summary>
[Collection(ClusterCollection.Name)]
public sealed class StateSerializationTests(ClusterFixture fixture)
{
    [Fact]
    public void SessionState_GrainStorageRoundTrip_KeepsEveryMember()
    {
        var serializer = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainStorageSerializer>();
        var image = new MediaReference(new string('a', 64), "image/png");
        var state = new SessionState
        {
            Exists = true,
            ModelId = "m",
            SystemPrompt = "sys",
            // Collection expressions make compiler-generated list types; the contracts must store them as arrays.
            History = [new ChatMessage(ChatRole.User, [ContentPart.FromImage(image), ContentPart.FromText("x")]), ChatMessage.FromText(ChatRole.Assistant, "y")],
            DefaultSampling = new SamplingSettings { Temperature = 0.7f, Stop = ["</s>"], MaxTokens = 9 },
            Lease = new KvLease(new PipelineReference("m", [new("w1", "i1", "http://w1", new LayerRange(0, 12)), new("w2", "i1", "http://w2", new LayerRange(12, 24))]), 40, 3),
            LastLeaseEpoch = 3,
            HistoryTokens = 40,
            CompletedTurns = [new CompletedTurn("r1", FinishReason.Length, new TurnUsage(30, 10, 5), "y", [7, 8], DateTimeOffset.UnixEpoch)],
        };

        var back = serializer.Deserialize<SessionState>(serializer.Serialize(state))!;

        Assert.Equal(state.History.Select(m => (m.Role, m.Text)), back.History.Select(m => (m.Role, m.Text)));
        Assert.Equal(image, Assert.Single(back.History[0].Media));
        Assert.Equal(state.DefaultSampling.Stop, back.DefaultSampling.Stop);
        Assert.Equal((0.7f, 9), (back.DefaultSampling.Temperature!.Value, back.DefaultSampling.MaxTokens!.Value));
        Assert.Equal("w1+w2", back.Lease!.Pipeline.Id);
        Assert.True(back.Lease.Pipeline.IsSameInstanceAs(state.Lease.Pipeline));
        Assert.Equal((40L, 3L), (back.Lease.CoveredTokens, back.Lease.Epoch));
        var turn = Assert.Single(back.CompletedTurns);
        Assert.Equal((FinishReason.Length, new TurnUsage(30, 10, 5)), (turn.FinishReason, turn.Usage));
        Assert.Equal([7, 8], turn.TokenIds);
        Assert.Equal(("sys", 3L, 40L), (back.SystemPrompt, back.LastLeaseEpoch, back.HistoryTokens));
    }

    [Fact]
    public void SessionState_MediaOptions_RoundTripWithTheirPart()
    {
        var serializer = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainStorageSerializer>();
        var options = new MediaOptions { MinPixels = 3136, MaxPixels = 448 * 448, Fps = 1.5, MaxFrames = 8 };
        var state = new SessionState
        {
            Exists = true,
            ModelId = "m",
            History = [new ChatMessage(ChatRole.User, [ContentPart.FromVideo(new MediaReference(new string('b', 64), "video/mp4"), options)])],
        };

        var back = serializer.Deserialize<SessionState>(serializer.Serialize(state))!;

        Assert.Equal(options, back.History[0].Content[0].Options);
    }

    [Fact]
    public void SessionState_StoredBeforeMediaOptions_ReadsBackWithoutOptions()
    {
        var serializer = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainStorageSerializer>();
        var image = new MediaReference(new string('c', 64), "image/png");
        var state = new SessionState
        {
            Exists = true,
            ModelId = "m",
            History = [new ChatMessage(ChatRole.User, [ContentPart.FromImage(image, new MediaOptions { MaxPixels = 1000 }), ContentPart.FromText("what is it?")])],
        };
        // The JSON an older server wrote: the same, without any Options member.
        var json = JsonNode.Parse(serializer.Serialize(state).ToString())!;
        int removed = RemoveMembers(json, "Options");

        var back = serializer.Deserialize<SessionState>(BinaryData.FromString(json.ToJsonString()))!;

        Assert.True(removed >= 1, "the JSON should name the image part's options");
        var parts = back.History[0].Content;
        Assert.Equal((ContentKind.Image, image, (MediaOptions?)null), (parts[0].Kind, parts[0].Media, parts[0].Options));
        Assert.Equal("what is it?", parts[1].Text);
    }

    private static int RemoveMembers(JsonNode? node, string name)
    {
        int removed = 0;
        if (node is JsonObject obj)
        {
            removed += obj.Remove(name) ? 1 : 0;
            foreach (var (_, child) in obj.ToList())
            {
                removed += RemoveMembers(child, name);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                removed += RemoveMembers(child, name);
            }
        }

        return removed;
    }
}
