namespace Qwen2VL.Gateway.Health;

/// <summary>What a server role must have before it takes traffic.</summary>
[Flags]
public enum ReadinessRequirements
{
    /// <summary>Ready as soon as it runs.</summary>
    None = 0,

    /// <summary>This process's model weights are loaded (a worker).</summary>
    ModelLoaded = 1,

    /// <summary>At least one complete pipeline (every layer range served) is registered (a gateway).</summary>
    CompletePipeline = 2,

    /// <summary>Both: a single process that loads the model and routes to it.</summary>
    All = ModelLoaded | CompletePipeline,
}
