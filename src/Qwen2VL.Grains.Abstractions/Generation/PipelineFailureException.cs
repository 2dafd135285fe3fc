namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>
/// A generation call failed because of the pipeline, not the request: the session moves to another pipeline,
/// prefills its history there and continues. Backends throw one of the derived types.
/// </summary>
public abstract class PipelineFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected PipelineFailureException(string pipelineId, string message, Exception? innerException)
        : base(message, innerException) => PipelineId = pipelineId;

    /// <summary>The failed pipeline's id.</summary>
    public string PipelineId { get; }
}
