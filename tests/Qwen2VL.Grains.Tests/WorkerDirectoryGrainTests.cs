using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class WorkerDirectoryGrainTests(ClusterFixture fixture)
{
    private IWorkerDirectoryGrain Directory => fixture.Grains.GetWorkerDirectory();

    private async Task<string> RegisterAsync(params WorkerRegistration[] workers)
    {
        foreach (var worker in workers)
        {
            await Directory.RegisterAsync(worker);
        }

        return workers[0].ModelId;
    }

    [Fact]
    public async Task GetPipelinesAsync_StagesCoveringAllLayers_AssemblesCompletePipelinesOnly()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(
            TestWorkers.Worker(m, "a0", 0, 12), TestWorkers.Worker(m, "a1", 12, 24),
            TestWorkers.Worker(m, "b0", 0, 24),
            TestWorkers.Worker(m, "c0", 0, 12), // its second half is missing
            TestWorkers.Worker(TestWorkers.NewModelId(), "other", 0, 24));

        var pipelines = await Directory.GetPipelinesAsync(m);

        Assert.Equal(["a0+a1", "b0"], pipelines.Select(p => p.Id).Order());
        var split = pipelines.Single(p => p.Id == "a0+a1");
        Assert.Equal([new LayerRange(0, 12), new LayerRange(12, 24)], split.Stages.Select(s => s.Layers));
        Assert.Equal("http://a0:7000", split.EntryAddress);
    }

    [Fact]
    public async Task GetPipelinesAsync_StageNamesItsNextStage_ChainsOnlyToThatWorker()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(
            TestWorkers.Worker(m, "x0", 0, 12, next: "http://y1:7000"),
            TestWorkers.Worker(m, "x1", 12, 24),
            TestWorkers.Worker(m, "y1", 12, 24));

        var pipeline = Assert.Single(await Directory.GetPipelinesAsync(m));

        Assert.Equal("x0+y1", pipeline.Id);
    }

    [Fact]
    public async Task RegisterAsync_LayersOutsideTheModel_IsRejectedWithTheNumbers()
    {
        var bad = TestWorkers.Worker(TestWorkers.NewModelId(), "bad", 12, 30);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Directory.RegisterAsync(bad));

        Assert.Contains("[12, 30)", error.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 24)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquirePipelineAsync_NoAffinity_PicksTheLeastLoaded()
    {
        string m = await RegisterAsync(TestWorkers.Worker(TestWorkers.NewModelId(), "busy"));
        await RegisterAsync(TestWorkers.Worker(m, "idle"));
        await Directory.HeartbeatAsync(new WorkerHeartbeat("busy", "i1", RunningSequences: 6, FreeKvTokens: 1000));
        await Directory.HeartbeatAsync(new WorkerHeartbeat("idle", "i1", RunningSequences: 1, FreeKvTokens: 1000));

        var chosen = await Directory.AcquirePipelineAsync(new PipelineRequest(m));

        Assert.Equal("idle", chosen!.Id);
    }

    [Fact]
    public async Task AcquirePipelineAsync_BurstBetweenHeartbeats_SpreadsSessions()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(TestWorkers.Worker(m, $"{m}-p"), TestWorkers.Worker(m, $"{m}-q"));

        var picks = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            picks.Add((await Directory.AcquirePipelineAsync(new PipelineRequest(m)))!.Id);
        }

        Assert.Equal(2, picks.Count(p => p == $"{m}-p"));
        Assert.Equal(2, picks.Count(p => p == $"{m}-q"));
    }

    [Fact]
    public async Task AcquirePipelineAsync_SameAffinityKey_ReturnsTheSamePipeline()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync([.. Enumerable.Range(0, 4).Select(i => TestWorkers.Worker(m, $"{m}-{i}", capacity: 100))]);

        var first = await Directory.AcquirePipelineAsync(new PipelineRequest(m, AffinityKey: "prefix-1"));
        var again = await Directory.AcquirePipelineAsync(new PipelineRequest(m, AffinityKey: "prefix-1"));
        var picks = new HashSet<string>();
        for (int i = 0; i < 16; i++)
        {
            picks.Add((await Directory.AcquirePipelineAsync(new PipelineRequest(m, AffinityKey: $"prefix-{i}")))!.Id);
        }

        Assert.Equal(first!.Id, again!.Id);
        Assert.True(picks.Count > 1, $"16 affinity keys all mapped to {string.Join(", ", picks)}");
    }

    [Fact]
    public async Task AcquirePipelineAsync_LiveLease_IsReturnedEvenWhenOthersAreLessLoaded()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(TestWorkers.Worker(m, $"{m}-leased"), TestWorkers.Worker(m, $"{m}-free"));
        await Directory.HeartbeatAsync(new WorkerHeartbeat($"{m}-leased", "i1", 7, 10));
        var lease = (await Directory.GetPipelinesAsync(m)).Single(p => p.Id == $"{m}-leased");

        var chosen = await Directory.AcquirePipelineAsync(new PipelineRequest(m, CurrentLease: lease, AffinityKey: "whatever"));

        Assert.Equal(lease.Id, chosen!.Id);
    }

    [Fact]
    public async Task AcquirePipelineAsync_LeasedWorkerRestarted_ChoosesAgain()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(TestWorkers.Worker(m, $"{m}-w"));
        var lease = Assert.Single(await Directory.GetPipelinesAsync(m));
        await Directory.RegisterAsync(TestWorkers.Worker(m, $"{m}-w", instance: "i2"));

        var chosen = await Directory.AcquirePipelineAsync(new PipelineRequest(m, CurrentLease: lease));

        Assert.Equal(lease.Id, chosen!.Id);
        Assert.False(chosen.IsSameInstanceAs(lease));
        Assert.Equal("i2", chosen.Stages[0].InstanceId);
    }

    [Fact]
    public async Task AcquirePipelineAsync_DrainingWorker_GetsNoNewSessionsButKeepsItsLeases()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(TestWorkers.Worker(m, $"{m}-d"));
        var lease = Assert.Single(await Directory.GetPipelinesAsync(m));

        Assert.True(await Directory.SetDrainingAsync($"{m}-d", true));

        Assert.Null(await Directory.AcquirePipelineAsync(new PipelineRequest(m)));
        Assert.Equal(lease.Id, (await Directory.AcquirePipelineAsync(new PipelineRequest(m, CurrentLease: lease)))!.Id);
        Assert.True((await Directory.GetWorkersAsync()).Single(w => w.Registration.WorkerId == $"{m}-d").Draining);
        await Directory.SetDrainingAsync($"{m}-d", false);
        Assert.NotNull(await Directory.AcquirePipelineAsync(new PipelineRequest(m)));
    }

    [Fact]
    public async Task AcquirePipelineAsync_ExcludedPipeline_IsSkippedEvenAsLease()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(TestWorkers.Worker(m, $"{m}-1"), TestWorkers.Worker(m, $"{m}-2"));
        var lease = (await Directory.GetPipelinesAsync(m)).Single(p => p.Id == $"{m}-1");

        var chosen = await Directory.AcquirePipelineAsync(new PipelineRequest(m, lease, ExcludedPipelineIds: [$"{m}-1"]));

        Assert.Equal($"{m}-2", chosen!.Id);
        Assert.Null(await Directory.AcquirePipelineAsync(new PipelineRequest(m, lease, ExcludedPipelineIds: [$"{m}-1", $"{m}-2"])));
    }

    [Fact]
    public async Task HeartbeatAsync_SilentWorker_IsForgottenAfterTheTimeout()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(TestWorkers.Worker(m, $"{m}-alive"), TestWorkers.Worker(m, $"{m}-silent"));

        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await Directory.HeartbeatAsync(new WorkerHeartbeat($"{m}-alive", "i1", 0, 10)));
        fixture.Clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal([$"{m}-alive"], (await Directory.GetPipelinesAsync(m)).Select(p => p.Id));
        Assert.False(await Directory.HeartbeatAsync(new WorkerHeartbeat($"{m}-silent", "i1", 0, 10)));
        Assert.DoesNotContain(await Directory.GetWorkersAsync(), w => w.Registration.WorkerId == $"{m}-silent");
    }

    [Fact]
    public async Task HeartbeatAsync_FromAnOldInstance_AsksTheWorkerToRegister()
    {
        string m = TestWorkers.NewModelId();
        await RegisterAsync(TestWorkers.Worker(m, $"{m}-w", instance: "new"));

        Assert.False(await Directory.HeartbeatAsync(new WorkerHeartbeat($"{m}-w", "old", 0, 10)));
        Assert.True(await Directory.HeartbeatAsync(new WorkerHeartbeat($"{m}-w", "new", 0, 10)));
    }
}
