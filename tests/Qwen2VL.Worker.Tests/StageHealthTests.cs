using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Qwen2VL.Worker.Tests.Support;
using Qwen2VL.Worker.V1;

namespace Qwen2VL.Worker.Tests;

/// <summary>Stage processes answer the standard gRPC health service, so probes and tools see a serving stage, not just an open port.</summary>
[Collection(RemoteStagesCollection.Name)]
public sealed class StageHealthTests
{
    private readonly RemoteStages _remote;

    public StageHealthTests(RemoteStages remote) => _remote = remote;

    [Fact]
    public async Task Check_RunningStages_ServeTheWorkerService()
    {
        foreach (var stage in new[] { _remote.Middle, _remote.Last })
        {
            using var channel = GrpcChannel.ForAddress(stage.Address);
            var health = new Health.HealthClient(channel);

            var overall = await health.CheckAsync(new HealthCheckRequest());
            var worker = await health.CheckAsync(new HealthCheckRequest { Service = WorkerService.Descriptor.FullName });

            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, worker.Status);
        }
    }

    [Fact]
    public async Task Check_UnknownService_NotFound()
    {
        using var channel = GrpcChannel.ForAddress(_remote.Last.Address);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
