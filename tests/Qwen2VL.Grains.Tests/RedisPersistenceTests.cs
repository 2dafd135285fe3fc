using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Hosting;
using Qwen2VL.Grains.Tests.Fakes;
using StackExchange.Redis;

namespace Qwen2VL.Grains.Tests;

/// <summary>Sessions on real Redis grain storage: what a turn stored is read back by a new activation or a new cluster.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisPersistenceTests(RedisFixture redis)
{
    private readonly ScriptedGenerationBackend _backend = new();
    private readonly string _serviceId = $"svc-{Guid.NewGuid():n}"[..16];

    private async Task<InProcessTestCluster> StartClusterAsync(short silos)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddRedisGrainStorage(GrainStorage.Name, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.Endpoint));
            silo.Services.AddSingleton<IGenerationBackend>(_backend);
            silo.Services.AddControlPlaneGrains();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task<ISessionGrain> StartConversationAsync(IGrainFactory grains)
    {
        string model = TestWorkers.NewModelId();
        await TestWorkers.RegisterSingleStagePipelinesAsync(grains, model, $"{model}-w");
        var session = grains.GetSession("redis-tenant", Guid.NewGuid().ToString("n"));
        await session.CreateAsync(new CreateSessionRequest(model, "Stored in Redis."));
        await session.ChatAsync(TurnStreams.UserTurn("persist this", "req-1")).CollectAsync();
        return session;
    }

    [Fact]
    public async Task GetAsync_AfterDeactivation_ReadsTheHistoryBackFromRedis()
    {
        await using var cluster = await StartClusterAsync(1);
        var session = await StartConversationAsync(cluster.Client);

        await cluster.DeactivateAsync(session);
        var info = await session.GetAsync();

        Assert.Equal(["persist this", "Hello, world"], info.History.Select(m => m.Text));
        var keys = redis.Connection.GetServer(redis.Endpoint).Keys(pattern: $"{_serviceId}*").Select(k => (string)k!).ToList();
        Assert.Contains(keys, k => k.Contains("session", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GetAsync_AfterItsSiloStops_ReadsTheHistoryOnTheOtherSilo()
    {
        await using var cluster = await StartClusterAsync(2);
        var session = await StartConversationAsync(cluster.Client);
        var secondary = cluster.Silos[1];
        // Migrating to the silo that already hosts the grain waits for a deactivation that never comes.
        if (HostOf(cluster, session) != secondary.SiloAddress)
        {
            await cluster.MigrateAsync(session, secondary.SiloAddress).WaitAsync(TimeSpan.FromSeconds(20));
        }

        Assert.Equal(secondary.SiloAddress, HostOf(cluster, session));

        await cluster.StopSiloAsync(secondary);
        var info = await session.GetAsync();

        Assert.Equal(["persist this", "Hello, world"], info.History.Select(m => m.Text));
        Assert.Equal(cluster.Silos[0].SiloAddress, HostOf(cluster, session));
    }

    private static SiloAddress? HostOf(InProcessTestCluster cluster, IAddressable grain) =>
        cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    [Fact]
    public async Task ChatAsync_AfterWholeClusterRestart_KeepsHistoryAndIdempotency()
    {
        string sessionKey;
        int callsBefore;
        await using (var first = await StartClusterAsync(1))
        {
            var session = await StartConversationAsync(first.Client);
            sessionKey = session.GetPrimaryKeyString();
            callsBefore = _backend.RequestsFor((await session.GetAsync()).ModelId).Count;
        }

        await using var second = await StartClusterAsync(1);
        var restored = second.Client.GetGrain<ISessionGrain>(sessionKey);
        var info = await restored.GetAsync();
        var replay = await restored.ChatAsync(TurnStreams.UserTurn("persist this", "req-1")).CollectAsync();

        Assert.Equal(["persist this", "Hello, world"], info.History.Select(m => m.Text));
        Assert.Equal("Stored in Redis.", info.SystemPrompt);
        Assert.True(replay.Completion().Replayed);
        Assert.Equal(callsBefore, _backend.RequestsFor(info.ModelId).Count);
    }
}
