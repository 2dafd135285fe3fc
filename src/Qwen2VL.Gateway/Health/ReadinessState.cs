namespace Qwen2VL.Gateway.Health;

/// <summary>
/// Whether this server can take traffic, set by the code that loads the model and tracks pipelines. The HTTP
/// readiness probe reads it through <see cref="ReadinessHealthCheck"/>; a gRPC health service can read
/// <see cref="Current"/> or follow <see cref="Changed"/> to push status to watchers.
/// </summary>
public sealed class ReadinessState
{
    private readonly Lock _lock = new();
    private readonly ReadinessRequirements _requirements;
    private bool _modelLoaded;
    private int _pipelines;

    public ReadinessState(ReadinessRequirements requirements = ReadinessRequirements.All) => _requirements = requirements;

    /// <summary>Raised after every change that flips or updates the status (on the thread that made it).</summary>
    public event EventHandler<ReadinessStatus>? Changed;

    /// <summary>The current status.</summary>
    public ReadinessStatus Current
    {
        get
        {
            lock (_lock)
            {
                return Evaluate();
            }
        }
    }

    /// <summary>Whether the server can take traffic now.</summary>
    public bool IsReady => Current.IsReady;

    /// <summary>Records that the model is loaded (or unloaded, while it is being replaced).</summary>
    public void SetModelLoaded(bool loaded = true) => Update(() => _modelLoaded = loaded);

    /// <summary>Records how many complete pipelines are registered now.</summary>
    public void SetCompletePipelines(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Update(() => _pipelines = count);
    }

    private void Update(Action change)
    {
        ReadinessStatus before, after;
        lock (_lock)
        {
            before = Evaluate();
            change();
            after = Evaluate();
        }

        if (before != after)
        {
            Changed?.Invoke(this, after);
        }
    }

    private ReadinessStatus Evaluate()
    {
        bool needModel = _requirements.HasFlag(ReadinessRequirements.ModelLoaded);
        bool needPipeline = _requirements.HasFlag(ReadinessRequirements.CompletePipeline);
        string reason = needModel && !_modelLoaded ? "model not loaded"
            : needPipeline && _pipelines == 0 ? "no complete pipeline registered"
            : "ready";
        return new ReadinessStatus(reason == "ready", _modelLoaded, _pipelines, reason);
    }
}
