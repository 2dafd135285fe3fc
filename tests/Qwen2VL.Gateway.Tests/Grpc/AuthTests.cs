using Grpc.Core;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.Tests.Http;
using static Qwen2VL.Gateway.Tests.Grpc.GenerateTests;
using static Qwen2VL.Gateway.Tests.Grpc.GrpcTestServer;

namespace Qwen2VL.Gateway.Tests.Grpc;

/// <summary>The authorization metadata goes through the same authenticator as the HTTP API.</summary>
public sealed class AuthTests
{
    [Fact]
    public async Task Generate_NoApiKey_Unauthenticated()
    {
        var backend = new ScriptedBackend();
        await using var server = await StartAsync(backend);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            ResponseStreams.ReadAllAsync(server.Client.Generate(new GenerateRequest { Messages = { User(Text("hi")) } })));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Empty(backend.Calls);
    }

    [Fact]
    public async Task CreateSession_UnknownApiKey_Unauthenticated()
    {
        await using var server = await StartAsync(new ScriptedBackend());

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Client.CreateSessionAsync(new CreateSessionRequest(), As("sk-revoked")));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("incorrect API key", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSessions_NotBearerScheme_Unauthenticated()
    {
        await using var server = await StartAsync(new ScriptedBackend());

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Client.ListSessionsAsync(
            new ListSessionsRequest(), new Metadata { { "authorization", "Basic dXNlcjpwYXNz" } }));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }
}
