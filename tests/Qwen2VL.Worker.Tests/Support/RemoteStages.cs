using Grpc.Net.Client;
using Qwen2VL.Worker.Client;
using Qwen2VL.Worker.V1;

namespace Qwen2VL.Worker.Tests.Support;

/// <summary>
/// Stage processes shared by the pipeline tests: [2, 3) (the next stage of a 2-stage split) and [1, 2) forwarding to
/// it (the next stage of a 3-stage split). The last stage thus serves two upstream streams at once.
/// </summary>
public sealed class RemoteStages : IAsyncLifetime
{
    public TinyStages Stages { get; } = new();

    public StageProcess Last { get; private set; } = null!;

    public StageProcess Middle { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Last = await StageProcess.StartAsync("2:3");
        Middle = await StageProcess.StartAsync("1:2", Last.Address);
    }

    /// <summary>A driver over <paramref name="stageCount"/> stages: 1 is the whole model here, 2 and 3 reach these processes.</summary>
    public Driver Driver(int stageCount, Qwen2VL.Engine.EngineOptions? options = null, Func<Qwen2VL.Engine.Pipeline.IPipelineTail, Qwen2VL.Engine.Pipeline.IPipelineTail>? wrap = null) => stageCount switch
    {
        1 => Support.Driver.Whole(Stages, options),
        2 => Support.Driver.Remote(Stages.First(2), Last.Address, options, wrap),
        3 => Support.Driver.Remote(Stages.First(3), Middle.Address, options, wrap),
        _ => throw new ArgumentOutOfRangeException(nameof(stageCount), stageCount, "1, 2 or 3 stages"),
    };

    /// <summary>Sequence caches each stage process holds now.</summary>
    public async Task<(int Middle, int Last)> CachedSequencesAsync()
    {
        return (await InfoAsync(Middle.Address), await InfoAsync(Last.Address));

        static async Task<int> InfoAsync(string address)
        {
            using GrpcChannel channel = WorkerChannel.Create(address);
            var info = await new WorkerService.WorkerServiceClient(channel).GetInfoAsync(new GetInfoRequest());
            return info.CachedSequences;
        }
    }

    public async Task DisposeAsync()
    {
        await Middle.DisposeAsync();
        await Last.DisposeAsync();
        Stages.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RemoteStagesCollection : ICollectionFixture<RemoteStages>
{
    public const string Name = "remote stages";
}
