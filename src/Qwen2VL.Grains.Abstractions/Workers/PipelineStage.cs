namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>One stage of a pipeline.</summary>
/// <param name="WorkerId">The worker running the stage.</param>
/// <param name="InstanceId">The worker's process instance when the pipeline was assembled.</param>
/// <param name="Address">Its gRPC endpoint.</param>
/// <param name="Layers">The layers it runs.</param>
[GenerateSerializer, Immutable]
public sealed record PipelineStage(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string InstanceId,
    [property: Id(2)] string Address,
    [property: Id(3)] LayerRange Layers);
