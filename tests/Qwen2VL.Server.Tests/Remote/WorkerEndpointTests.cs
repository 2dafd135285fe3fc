using Qwen2VL.Server.Hosting;
using Qwen2VL.Server.Worker;

namespace Qwen2VL.Server.Tests.Remote;

public sealed class WorkerEndpointTests
{
    [Fact]
    public void Resolve_WorkerInASiloProcess_IsCalledInProcess()
    {
        var endpoint = WorkerEndpoint.Resolve(new ServerOptions(), ServerRoles.All);

        Assert.Equal(new WorkerEndpoint(false, LocalWorker.InProcessAddress), endpoint);
    }

    [Fact]
    public void Resolve_WorkerAlone_ServesAndAdvertisesHostAndWorkerPort()
    {
        var endpoint = WorkerEndpoint.Resolve(new ServerOptions { Host = "10.0.0.7", WorkerPort = 9001 }, ServerRoles.Worker);

        Assert.Equal(new WorkerEndpoint(true, "http://10.0.0.7:9001"), endpoint);
    }

    [Theory]
    [InlineData("worker-0.workers:8082", "http://worker-0.workers:8082")]
    [InlineData("https://worker-0.example:443", "https://worker-0.example:443")]
    public void Resolve_Advertise_IsRegisteredAsAUrlEvenInASiloProcess(string advertise, string expected)
    {
        var endpoint = WorkerEndpoint.Resolve(new ServerOptions { Advertise = advertise }, ServerRoles.Silo | ServerRoles.Worker);

        Assert.Equal(new WorkerEndpoint(true, expected), endpoint);
    }

    [Fact]
    public void Resolve_WildcardHost_AdvertisesTheMachineName()
    {
        var endpoint = WorkerEndpoint.Resolve(new ServerOptions { Host = "0.0.0.0", WorkerPort = 8082 }, ServerRoles.Worker);

        Assert.Equal($"http://{System.Net.Dns.GetHostName()}:8082", endpoint.Address);
    }
}
