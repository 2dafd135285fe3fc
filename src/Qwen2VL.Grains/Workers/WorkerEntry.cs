using Qwen2VL.Grains.Abstractions.Workers;

namespace Qwen2VL.Grains.Workers;

/// <summary>The directory's in-memory record of one live worker.</summary>
internal sealed class WorkerEntry(WorkerRegistration registration, DateTimeOffset registeredAt)
{
    public WorkerRegistration Registration { get; } = registration;

    public DateTimeOffset LastHeartbeat { get; set; } = registeredAt;

    /// <summary>Last reported load, plus the sessions placed here since (so a burst of placements spreads out).</summary>
    public int RunningSequences { get; set; }

    public long FreeKvTokens { get; set; } = registration.KvCapacityTokens;

    public bool Draining { get; set; }

    /// <summary>Load as a fraction of capacity; 1 or more means requests queue.</summary>
    public double Utilization => (double)RunningSequences / Math.Max(1, Registration.Capacity);

    public PipelineStage ToStage() =>
        new(Registration.WorkerId, Registration.InstanceId, Registration.Address, Registration.Layers);

    public WorkerStatus ToStatus() => new(Registration, LastHeartbeat, RunningSequences, FreeKvTokens, Draining);
}
