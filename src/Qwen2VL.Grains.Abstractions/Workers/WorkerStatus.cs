namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>What the directory knows about one live worker.</summary>
/// <param name="Registration">As the worker registered.</param>
/// <param name="LastHeartbeat">When the directory last heard from it.</param>
/// <param name="RunningSequences">Its load: last reported, plus sessions sent to it since.</param>
/// <param name="FreeKvTokens">Last reported free KV tokens.</param>
/// <param name="Draining">True when it gets no new sessions.</param>
[GenerateSerializer, Immutable]
public sealed record WorkerStatus(
    [property: Id(0)] WorkerRegistration Registration,
    [property: Id(1)] DateTimeOffset LastHeartbeat,
    [property: Id(2)] int RunningSequences,
    [property: Id(3)] long FreeKvTokens,
    [property: Id(4)] bool Draining);
