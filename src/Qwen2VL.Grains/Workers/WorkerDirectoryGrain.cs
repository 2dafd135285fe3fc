using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen2VL.Grains.Abstractions.Workers;
using Qwen2VL.Grains.Hosting;

namespace Qwen2VL.Grains.Workers;

/// <summary>
/// The cluster's worker list and pipeline chooser. See <see cref="IWorkerDirectoryGrain"/>. Nothing is persisted:
/// after a restart, heartbeats answer false and every worker registers again within one heartbeat period.
/// </summary>
public sealed partial class WorkerDirectoryGrain : Grain, IWorkerDirectoryGrain
{
    private readonly WorkerDirectoryOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<WorkerDirectoryGrain> _logger;

    // Not persisted: live workers by id, rebuilt by registrations.
    private readonly Dictionary<string, WorkerEntry> _workers = new(StringComparer.Ordinal);

    /// <summary>Creates the grain; Orleans supplies the arguments.</summary>
    public WorkerDirectoryGrain(
        IOptions<WorkerDirectoryOptions> options,
        [FromKeyedServices(ControlPlaneClock.ServiceKey)] TimeProvider clock,
        ILogger<WorkerDirectoryGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task RegisterAsync(WorkerRegistration registration)
    {
        Validate(registration);
        var now = _clock.GetUtcNow();
        ForgetExpired(now);
        bool draining = _workers.TryGetValue(registration.WorkerId, out var previous) && previous.Draining;
        _workers[registration.WorkerId] = new WorkerEntry(registration, now) { Draining = draining };
        LogRegistered(registration.WorkerId, registration.InstanceId, registration.Address, registration.ModelId,
            registration.Layers.ToString(), registration.TotalLayers, previous is not null && previous.Registration.InstanceId != registration.InstanceId);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> HeartbeatAsync(WorkerHeartbeat heartbeat)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        var now = _clock.GetUtcNow();
        ForgetExpired(now);
        if (!_workers.TryGetValue(heartbeat.WorkerId, out var entry) || entry.Registration.InstanceId != heartbeat.InstanceId)
        {
            return Task.FromResult(false);
        }

        entry.LastHeartbeat = now;
        entry.RunningSequences = Math.Max(0, heartbeat.RunningSequences);
        entry.FreeKvTokens = Math.Max(0, heartbeat.FreeKvTokens);
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task<bool> SetDrainingAsync(string workerId, bool draining)
    {
        ForgetExpired(_clock.GetUtcNow());
        if (!_workers.TryGetValue(workerId, out var entry))
        {
            return Task.FromResult(false);
        }

        entry.Draining = draining;
        LogDraining(workerId, draining);
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task<bool> UnregisterAsync(string workerId)
    {
        bool removed = _workers.Remove(workerId);
        if (removed)
        {
            LogForgotten(workerId, "unregistered");
        }

        return Task.FromResult(removed);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<WorkerStatus>> GetWorkersAsync()
    {
        ForgetExpired(_clock.GetUtcNow());
        IReadOnlyList<WorkerStatus> workers = [.. _workers.Values
            .OrderBy(w => w.Registration.WorkerId, StringComparer.Ordinal)
            .Select(w => w.ToStatus())];
        return Task.FromResult(workers);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PipelineReference>> GetPipelinesAsync(string modelId)
    {
        ForgetExpired(_clock.GetUtcNow());
        IReadOnlyList<PipelineReference> pipelines = [.. PipelineAssembler.Assemble(_workers.Values, modelId).Select(p => p.Reference)];
        return Task.FromResult(pipelines);
    }

    /// <inheritdoc/>
    public Task<PipelineReference?> AcquirePipelineAsync(PipelineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ForgetExpired(_clock.GetUtcNow());
        var excluded = request.ExcludedPipelineIds ?? [];
        if (request.CurrentLease is { } lease && lease.ModelId == request.ModelId && !excluded.Contains(lease.Id) && IsAlive(lease))
        {
            return Task.FromResult<PipelineReference?>(lease);
        }

        var eligible = PipelineAssembler.Assemble(_workers.Values, request.ModelId)
            .Where(p => !p.Draining && !excluded.Contains(p.Id))
            .ToList();
        var chosen = PipelineSelector.Choose(eligible, request.AffinityKey);
        if (chosen is null)
        {
            return Task.FromResult<PipelineReference?>(null);
        }

        foreach (var stage in chosen.Stages)
        {
            stage.RunningSequences++;
        }

        return Task.FromResult<PipelineReference?>(chosen.Reference);
    }

    /// <summary>Whether every stage of a leased pipeline is still registered in the same process, running the same layers.</summary>
    private bool IsAlive(PipelineReference lease) => lease.Stages.All(stage =>
        _workers.TryGetValue(stage.WorkerId, out var entry)
        && entry.Registration.InstanceId == stage.InstanceId
        && entry.Registration.Layers == stage.Layers
        && entry.Registration.ModelId == lease.ModelId);

    private void ForgetExpired(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (var (id, entry) in _workers)
        {
            if (now - entry.LastHeartbeat > _options.HeartbeatTimeout)
            {
                (expired ??= []).Add(id);
            }
        }

        foreach (string id in expired ?? [])
        {
            _workers.Remove(id);
            LogForgotten(id, $"no heartbeat for more than {_options.HeartbeatTimeout.TotalSeconds:0.#} s");
        }
    }

    private static void Validate(WorkerRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (string.IsNullOrWhiteSpace(registration.WorkerId) || string.IsNullOrWhiteSpace(registration.InstanceId)
            || string.IsNullOrWhiteSpace(registration.Address) || string.IsNullOrWhiteSpace(registration.ModelId))
        {
            throw new ArgumentException(
                $"worker registration needs a worker id, instance id, address and model id; got '{registration.WorkerId}', '{registration.InstanceId}', '{registration.Address}', '{registration.ModelId}'");
        }

        var layers = registration.Layers;
        if (layers is null || layers.Start < 0 || layers.End <= layers.Start || layers.End > registration.TotalLayers)
        {
            throw new ArgumentException(
                $"worker '{registration.WorkerId}' registered layers {layers} outside the model's [0, {registration.TotalLayers})");
        }

        if (registration.Capacity <= 0)
        {
            throw new ArgumentException($"worker '{registration.WorkerId}' registered capacity {registration.Capacity}; it must be positive");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} ({InstanceId}) at {Address} registered: model {ModelId}, layers {Layers} of {TotalLayers}; restarted: {Restarted}")]
    private partial void LogRegistered(string workerId, string instanceId, string address, string modelId, string layers, int totalLayers, bool restarted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} draining: {Draining}")]
    private partial void LogDraining(string workerId, bool draining);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} forgotten: {Reason}")]
    private partial void LogForgotten(string workerId, string reason);
}
