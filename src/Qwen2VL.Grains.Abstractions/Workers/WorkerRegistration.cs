namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>What a worker tells the directory when it starts (and again whenever the directory forgot it).</summary>
/// <param name="WorkerId">Stable name of the worker, the same across restarts.</param>
/// <param name="InstanceId">New on every process start: a changed instance means the worker's KV caches are gone.</param>
/// <param name="Address">The worker's gRPC endpoint.</param>
/// <param name="ModelId">The model it serves.</param>
/// <param name="Layers">The decoder layers it runs.</param>
/// <param name="TotalLayers">The model's decoder layer count; a pipeline covers <c>[0, TotalLayers)</c>.</param>
/// <param name="Capacity">How many sequences it runs at once before requests queue.</param>
/// <param name="KvCapacityTokens">Tokens its KV cache holds in total.</param>
/// <param name="NextStageAddress">
/// The stage the worker forwards to when it was configured with one; the directory then chains it only to that
/// worker. Null lets the directory chain any worker whose layers continue this one's.
/// </param>
[GenerateSerializer, Immutable]
public sealed record WorkerRegistration(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string InstanceId,
    [property: Id(2)] string Address,
    [property: Id(3)] string ModelId,
    [property: Id(4)] LayerRange Layers,
    [property: Id(5)] int TotalLayers,
    [property: Id(6)] int Capacity,
    [property: Id(7)] long KvCapacityTokens,
    [property: Id(8)] string? NextStageAddress = null);
