namespace Qwen2VL.Grains.Abstractions.Workers;

/// <summary>
/// The cluster's list of model workers (one activation, key <see cref="SingletonKey"/>). Workers register and
/// heartbeat; the directory assembles complete pipelines from their layer ranges and picks one per session turn.
/// Its state is rebuilt from heartbeats, so it is not persisted.
/// </summary>
public interface IWorkerDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the one directory.</summary>
    const long SingletonKey = 0;

    /// <summary>Adds or replaces a worker (a new instance id replaces the old process's entry).</summary>
    /// <exception cref="ArgumentException">The registration is inconsistent (for example its layers are outside the model).</exception>
    Task RegisterAsync(WorkerRegistration registration);

    /// <summary>
    /// Records a worker's load. Returns false when the directory does not know this worker instance (it expired, or
    /// the directory restarted): the worker should register again.
    /// </summary>
    Task<bool> HeartbeatAsync(WorkerHeartbeat heartbeat);

    /// <summary>Marks a worker draining (no new sessions) or serving again; false when the worker is unknown.</summary>
    Task<bool> SetDrainingAsync(string workerId, bool draining);

    /// <summary>Forgets a worker at once (it is shutting down); false when it was unknown.</summary>
    Task<bool> UnregisterAsync(string workerId);

    /// <summary>The live workers, by id.</summary>
    Task<IReadOnlyList<WorkerStatus>> GetWorkersAsync();

    /// <summary>The complete pipelines that can be assembled now for <paramref name="modelId"/>, draining ones included.</summary>
    Task<IReadOnlyList<PipelineReference>> GetPipelinesAsync(string modelId);

    /// <summary>
    /// Picks a pipeline: the current lease while it is alive; else, among pipelines not draining nor excluded, the one
    /// the affinity key maps to (rendezvous hashing over those with free capacity); else the least loaded.
    /// Returns null when no pipeline qualifies.
    /// </summary>
    Task<PipelineReference?> AcquirePipelineAsync(PipelineRequest request);
}
