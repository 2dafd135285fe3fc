using Grpc.Core;
using Grpc.Health.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;
using Grpc.Reflection.V1Alpha;
using Qwen2VL.Gateway.Health;
using Qwen2VL.Gateway.Tests.Http;
using static Qwen2VL.Gateway.Tests.Grpc.GrpcTestServer;

namespace Qwen2VL.Gateway.Tests.Grpc;

/// <summary>The standard health and reflection services next to the chat service.</summary>
public sealed class HealthAndReflectionTests
{
    [Fact]
    public async Task HealthCheck_FollowsReadiness()
    {
        await using var server = await StartAsync(new ScriptedBackend());
        var health = new HealthClient(server.Channel);
        var chatService = new HealthCheckRequest { Service = "qwen2vl.v1.ChatService" };

        var before = await health.CheckAsync(chatService);
        server.Readiness.SetModelLoaded(true);
        var modelOnly = await health.CheckAsync(new HealthCheckRequest());
        server.Readiness.SetCompletePipelines(1);
        var ready = await health.CheckAsync(chatService);
        var overall = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, before.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, modelOnly.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, ready.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
    }

    [Fact]
    public async Task HealthCheck_GatewayWithoutModel_ServesOnceAPipelineIsRegistered()
    {
        // A gateway-only process never loads a model; its readiness is only about pipelines.
        await using var server = await StartAsync(new ScriptedBackend(), readiness: ReadinessRequirements.CompletePipeline);
        var health = new HealthClient(server.Channel);
        var chatService = new HealthCheckRequest { Service = "qwen2vl.v1.ChatService" };

        var before = await health.CheckAsync(chatService);
        server.Readiness.SetCompletePipelines(1);
        var ready = await health.CheckAsync(chatService);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, before.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, ready.Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownService_NotFound()
    {
        await using var server = await StartAsync(new ScriptedBackend());

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new HealthClient(server.Channel).CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Reflection_ListsServicesAndDescribesChatService()
    {
        await using var server = await StartAsync(new ScriptedBackend());
        using var call = new ServerReflection.ServerReflectionClient(server.Channel).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "qwen2vl.v1.ChatService" });
        await call.RequestStream.CompleteAsync();
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        var services = responses[0].ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("qwen2vl.v1.ChatService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        var file = Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(responses[1].FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("qwen2vl.v1", file.Package);
        Assert.Contains(file.Service.Single().Method, m => m.Name == "Chat" && m.ServerStreaming);
    }
}
