namespace Qwen2VL.Server.Hosting;

/// <summary>What readiness depends on: a loaded model and a registered pipeline. Updated by the worker, read by health checks.</summary>
public sealed class ReadinessState
{
    private volatile bool _modelLoaded;
    private volatile bool _pipelineRegistered;

    public bool ModelLoaded { get => _modelLoaded; set => _modelLoaded = value; }

    public bool PipelineRegistered { get => _pipelineRegistered; set => _pipelineRegistered = value; }

    /// <summary>Why loading failed, if it did.</summary>
    public string? ModelLoadError { get; set; }

    public bool IsReady => ModelLoaded && PipelineRegistered;
}
