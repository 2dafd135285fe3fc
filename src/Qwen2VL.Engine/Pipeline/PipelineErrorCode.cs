namespace Qwen2VL.Engine.Pipeline;

/// <summary>Why a stage after the driver failed a step.</summary>
public enum PipelineErrorCode
{
    /// <summary>The stage could not be reached, its stream broke, or it did not answer in time; its caches are gone.</summary>
    Unavailable = 1,

    /// <summary>The stage cannot hold the step's KV cache; it kept nothing of the step.</summary>
    CapacityExceeded = 2,

    /// <summary>The stage lacks cached tokens a segment claims (restarted or replaced); its caches are gone.</summary>
    StateLost = 3,

    /// <summary>The step is malformed: a bug on the sending side.</summary>
    InvalidStep = 4,

    /// <summary>The next stage does not continue the previous one's layers.</summary>
    Misconfigured = 5,

    /// <summary>Anything else that failed on the stage.</summary>
    Internal = 6,
}
