using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>Server-side sessions through the public gRPC API of the whole embedded server (session grains underneath).</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class GrpcSessionTests
{
    private readonly EmbeddedServer _server;

    public GrpcSessionTests(EmbeddedServer server) => _server = server;

    private static Metadata Auth(string key) => new() { { "authorization", $"Bearer {key}" } };

    [Fact]
    public async Task Session_Lifecycle_KeepsHistoryReusesCacheAndDeletes()
    {
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var auth = Auth(EmbeddedServer.ApiKey);
        var session = await client.CreateSessionAsync(new CreateSessionRequest { Model = _server.ModelName, SystemPrompt = "Be brief." }, auth);

        var first = await TurnAsync(client, session.SessionId, "first question", auth);
        var second = await TurnAsync(client, session.SessionId, "second question", auth);
        var stored = await client.GetSessionAsync(new GetSessionRequest { SessionId = session.SessionId }, auth);
        var listed = await client.ListSessionsAsync(new ListSessionsRequest { PageSize = 100 }, auth);

        Assert.Equal(0, first.Usage.CachedPromptTokens);
        Assert.True(second.Usage.CachedPromptTokens > 0, "the second turn should reuse the first turn's KV cache");
        Assert.Equal(new[] { Role.User, Role.Assistant, Role.User, Role.Assistant }, stored.History.Select(m => m.Role));
        Assert.Equal("second question", stored.History[2].Content[0].Text);
        Assert.Equal(second.Text, stored.History[3].Content[0].Text);
        Assert.Contains(listed.Sessions, s => s.SessionId == session.SessionId);

        var deleted = await client.DeleteSessionAsync(new DeleteSessionRequest { SessionId = session.SessionId }, auth);
        Assert.True(deleted.Deleted);
        var error = await Assert.ThrowsAsync<RpcException>(() => TurnAsync(client, session.SessionId, "third", auth));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Session_OfAnotherTenant_LooksMissing()
    {
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var session = await client.CreateSessionAsync(new CreateSessionRequest { Model = _server.ModelName }, Auth(EmbeddedServer.ApiKey));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetSessionAsync(new GetSessionRequest { SessionId = session.SessionId }, Auth(EmbeddedServer.OtherTenantKey)));
        var listed = await client.ListSessionsAsync(new ListSessionsRequest { PageSize = 100 }, Auth(EmbeddedServer.OtherTenantKey));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.DoesNotContain(listed.Sessions, s => s.SessionId == session.SessionId);
    }

    private static async Task<Final> TurnAsync(ChatService.ChatServiceClient client, string sessionId, string text, Metadata auth)
    {
        var request = new ChatRequest
        {
            SessionId = sessionId,
            Message = new Message { Role = Role.User, Content = { new ContentPart { Text = text } } },
            Sampling = new SamplingOptions { MaxTokens = 4, Temperature = 0 },
        };
        using var call = client.Chat(request, auth);
        Final? final = null;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            if (response.EventCase == ChatResponse.EventOneofCase.Final)
            {
                final = response.Final;
            }
        }

        return final ?? throw new InvalidOperationException("the stream ended without a final message");
    }
}
