using Google.Rpc;
using Grpc.Core;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Tests.Http;
using static Qwen2VL.Gateway.Tests.Grpc.GenerateTests;
using static Qwen2VL.Gateway.Tests.Grpc.GrpcTestServer;

namespace Qwen2VL.Gateway.Tests.Grpc;

/// <summary>Server-side sessions through a real gRPC client and server, checked against the directory port.</summary>
public sealed class SessionTests
{
    [Fact]
    public async Task SessionLifecycle_CreateChatTwiceGetListDelete_KeepsHistoryThenNotFound()
    {
        var backend = new ScriptedBackend { Answer = call => new[] { "answer ", call.Messages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        await using var server = await StartAsync(backend);
        var client = server.Client;

        var created = await client.CreateSessionAsync(new CreateSessionRequest
        {
            SystemPrompt = "be brief",
            DefaultSampling = new SamplingOptions { Temperature = 0.5f, MaxTokens = 32 },
        }, As(TenantAKey));
        Assert.StartsWith("sess_", created.SessionId, StringComparison.Ordinal);
        Assert.Equal("qwen2-vl-tiny", created.Model);
        Assert.Equal(0.5f, created.DefaultSampling.Temperature);

        var first = await ResponseStreams.ReadAllAsync(client.Chat(
            new ChatRequest { SessionId = created.SessionId, Message = User(Text("hi")) }, As(TenantAKey)));
        var second = await ResponseStreams.ReadAllAsync(client.Chat(
            new ChatRequest { SessionId = created.SessionId, Message = User(Text("and?")), Sampling = new SamplingOptions { MaxTokens = 8 } }, As(TenantAKey)));

        Assert.Equal("answer 2", first.Final.Text);
        Assert.Equal("answer 4", second.Final.Text);
        var secondCall = backend.Calls[1];
        Assert.Equal(new[] { "system", "user", "assistant", "user" }, secondCall.Messages.Select(m => m.Role));
        Assert.Equal("answer 2", Assert.IsType<TextPart>(secondCall.Messages[2].Content[0]).Text);
        Assert.Equal(0.5f, secondCall.Sampling.Temperature);
        Assert.Equal(8, secondCall.Sampling.MaxTokens);
        Assert.Equal(32, backend.Calls[0].Sampling.MaxTokens);

        var stored = await server.Sessions.GetAsync("tenant-a", created.SessionId, CancellationToken.None);
        Assert.Equal(new[] { "hi", "answer 2", "and?", "answer 4" }, stored!.History.Select(m => Assert.IsType<TextPart>(m.Content[0]).Text));
        var fetched = await client.GetSessionAsync(new GetSessionRequest { SessionId = created.SessionId }, As(TenantAKey));
        Assert.Equal(new[] { Role.User, Role.Assistant, Role.User, Role.Assistant }, fetched.History.Select(m => m.Role));
        Assert.Equal("answer 4", fetched.History[3].Content[0].Text);
        Assert.Equal(2, fetched.TurnCount);
        Assert.Equal(22, fetched.HistoryTokens);
        Assert.Equal("be brief", fetched.SystemPrompt);
        Assert.True(fetched.UpdatedAt.ToDateTimeOffset() >= fetched.CreatedAt.ToDateTimeOffset());

        var listed = await client.ListSessionsAsync(new ListSessionsRequest(), As(TenantAKey));
        var summary = Assert.Single(listed.Sessions);
        Assert.Equal(created.SessionId, summary.SessionId);
        Assert.Empty(summary.History);
        Assert.Equal("", listed.NextPageToken);

        var deleted = await client.DeleteSessionAsync(new DeleteSessionRequest { SessionId = created.SessionId }, As(TenantAKey));
        Assert.True(deleted.Deleted);
        var getError = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetSessionAsync(new GetSessionRequest { SessionId = created.SessionId }, As(TenantAKey)));
        var chatError = await Assert.ThrowsAsync<RpcException>(() => ResponseStreams.ReadAllAsync(client.Chat(
            new ChatRequest { SessionId = created.SessionId, Message = User(Text("still there?")) }, As(TenantAKey))));
        var deletedAgain = await client.DeleteSessionAsync(new DeleteSessionRequest { SessionId = created.SessionId }, As(TenantAKey));

        Assert.Equal(StatusCode.NotFound, getError.StatusCode);
        Assert.Equal(StatusCode.NotFound, chatError.StatusCode);
        Assert.Equal("SESSION_NOT_FOUND", chatError.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Reason);
        Assert.False(deletedAgain.Deleted);
        Assert.Equal(2, backend.Calls.Count);
    }

    [Fact]
    public async Task Chat_OtherTenantsSession_AnswersAsIfMissing()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);
        var client = server.Client;
        await client.CreateSessionAsync(new CreateSessionRequest { SessionId = "shared-name" }, As(TenantAKey));

        var foreign = await Assert.ThrowsAsync<RpcException>(() => ResponseStreams.ReadAllAsync(client.Chat(
            new ChatRequest { SessionId = "shared-name", Message = User(Text("hi")) }, As(TenantBKey))));
        var missing = await Assert.ThrowsAsync<RpcException>(() => ResponseStreams.ReadAllAsync(client.Chat(
            new ChatRequest { SessionId = "never-made", Message = User(Text("hi")) }, As(TenantBKey))));
        var foreignGet = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetSessionAsync(new GetSessionRequest { SessionId = "shared-name" }, As(TenantBKey)));
        var foreignDelete = await client.DeleteSessionAsync(new DeleteSessionRequest { SessionId = "shared-name" }, As(TenantBKey));
        var listedByB = await client.ListSessionsAsync(new ListSessionsRequest(), As(TenantBKey));
        var ownOfB = await client.CreateSessionAsync(new CreateSessionRequest { SessionId = "shared-name" }, As(TenantBKey));

        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(missing.StatusCode, foreign.StatusCode);
        Assert.Equal(missing.Status.Detail.Replace("never-made", "shared-name", StringComparison.Ordinal), foreign.Status.Detail);
        Assert.Equal(missing.GetRpcStatus()!.Details, foreign.GetRpcStatus()!.Details);
        Assert.Equal(StatusCode.NotFound, foreignGet.StatusCode);
        Assert.False(foreignDelete.Deleted);
        Assert.Empty(listedByB.Sessions);
        Assert.Equal("shared-name", ownOfB.SessionId);
        Assert.NotNull(await server.Sessions.GetAsync("tenant-a", "shared-name", CancellationToken.None));
        Assert.Empty(backend.Calls);
    }

    [Fact]
    public async Task CreateSession_ClientIdInUse_AlreadyExists()
    {
        await using var server = await StartAsync(new ScriptedBackend());
        await server.Client.CreateSessionAsync(new CreateSessionRequest { SessionId = "mine" }, As(TenantAKey));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Client.CreateSessionAsync(new CreateSessionRequest { SessionId = "mine" }, As(TenantAKey)));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tenant:id")]
    public async Task CreateSession_MalformedId_InvalidArgument(string sessionId)
    {
        await using var server = await StartAsync(new ScriptedBackend());

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Client.CreateSessionAsync(new CreateSessionRequest { SessionId = sessionId }, As(TenantAKey)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("session_id", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations[0].Field);
    }

    [Fact]
    public async Task CreateSession_InvalidDefaultSampling_InvalidArgument()
    {
        await using var server = await StartAsync(new ScriptedBackend());

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.CreateSessionAsync(
            new CreateSessionRequest { DefaultSampling = new SamplingOptions { RepetitionPenalty = 0 } }, As(TenantAKey)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("default_sampling.repetition_penalty", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations[0].Field);
    }

    [Fact]
    public async Task Chat_AssistantMessage_InvalidArgument()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);
        var session = await server.Client.CreateSessionAsync(new CreateSessionRequest(), As(TenantAKey));

        var error = await Assert.ThrowsAsync<RpcException>(() => ResponseStreams.ReadAllAsync(server.Client.Chat(new ChatRequest
        {
            SessionId = session.SessionId,
            Message = new Message { Role = Role.Assistant, Content = { Text("I said") } },
        }, As(TenantAKey))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("message.role", error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations[0].Field);
        Assert.Empty(backend.Calls);
    }

    [Fact]
    public async Task ListSessions_Pages_NewestFirstWithoutRepeats()
    {
        await using var server = await StartAsync(new ScriptedBackend());
        for (int i = 0; i < 5; i++)
        {
            await server.Client.CreateSessionAsync(new CreateSessionRequest { SessionId = $"s{i}" }, As(TenantAKey));
        }

        var seen = new List<string>();
        string token = "";
        int pages = 0;
        do
        {
            var page = await server.Client.ListSessionsAsync(new ListSessionsRequest { PageSize = 2, PageToken = token }, As(TenantAKey));
            seen.AddRange(page.Sessions.Select(s => s.SessionId));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(new[] { "s4", "s3", "s2", "s1", "s0" }, seen);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData(-1, "", "page_size")]
    [InlineData(2, "not-a-token", "page_token")]
    public async Task ListSessions_BadPaging_InvalidArgument(int pageSize, string pageToken, string field)
    {
        await using var server = await StartAsync(new ScriptedBackend());

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Client.ListSessionsAsync(new ListSessionsRequest { PageSize = pageSize, PageToken = pageToken }, As(TenantAKey)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations[0].Field);
    }
}
