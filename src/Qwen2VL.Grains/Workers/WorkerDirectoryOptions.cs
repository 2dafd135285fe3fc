namespace Qwen2VL.Grains.Workers;

/// <summary>How the worker directory judges liveness.</summary>
public sealed class WorkerDirectoryOptions
{
    /// <summary>A worker not heard from for longer than this is forgotten (workers heartbeat several times per period).</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
