namespace Qwen2VL.Gateway.Health;

/// <summary>
/// What the server has told the gateway about its ability to serve: whether a model is loaded and whether a
/// pipeline of workers is registered to run it. The server feeds it; health checks read it.
/// </summary>
public sealed class ServingReadiness
{
    private volatile bool _modelLoaded;
    private volatile bool _pipelineRegistered;

    public bool ModelLoaded => _modelLoaded;

    public bool PipelineRegistered => _pipelineRegistered;

    /// <summary>Whether calls can be served now.</summary>
    public bool IsReady => _modelLoaded && _pipelineRegistered;

    public void SetModelLoaded(bool loaded) => _modelLoaded = loaded;

    public void SetPipelineRegistered(bool registered) => _pipelineRegistered = registered;

    /// <summary>What is missing, for health reports; empty when ready.</summary>
    public string Describe() => (_modelLoaded, _pipelineRegistered) switch
    {
        (true, true) => "",
        (false, false) => "no model is loaded and no pipeline is registered",
        (false, true) => "no model is loaded",
        (true, false) => "no pipeline is registered",
    };
}
