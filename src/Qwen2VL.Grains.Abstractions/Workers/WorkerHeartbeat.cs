namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>A worker's periodic load report; it also keeps the worker in the directory.</summary>
/// <param name="WorkerId">The worker.</param>
/// <param name="InstanceId">Its current process instance, as registered.</param>
/// <param name="RunningSequences">Sequences running or waiting now (its load).</param>
/// <param name="FreeKvTokens">Tokens its KV cache can still take.</param>
[GenerateSerializer, Immutable]
public sealed record WorkerHeartbeat(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string InstanceId,
    [property: Id(2)] int RunningSequences,
    [property: Id(3)] long FreeKvTokens);
