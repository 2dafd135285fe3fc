namespace Qwen2VL.Engine.Pipeline;

/// <summary>
/// A stage after the driver failed or refused a step. The driver ends the affected sequences with this error; when
/// <see cref="StateLost"/> it also forgets every cache the later stages held, so later requests start clean.
/// </summary>
public sealed class PipelineStageException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="errorCode">What went wrong.</param>
    /// <param name="stage">Which stage, for example "layers [1, 3) at http://10.0.0.7:7001".</param>
    /// <param name="detail">What happened, with the numbers involved.</param>
    /// <param name="innerException">The transport or runtime error behind it, if any.</param>
    public PipelineStageException(PipelineErrorCode errorCode, string stage, string detail, Exception? innerException = null)
        : base($"pipeline stage {stage}: {detail}", innerException)
    {
        ErrorCode = errorCode;
        Stage = stage;
        Detail = detail;
    }

    /// <summary>What went wrong.</summary>
    public PipelineErrorCode ErrorCode { get; }

    /// <summary>The stage that failed.</summary>
    public string Stage { get; }

    /// <summary>The message without the stage prefix.</summary>
    public string Detail { get; }

    /// <summary>A stable code in the style of <see cref="EngineRejectedException.Code"/>.</summary>
    public string Code => ErrorCode switch
    {
        PipelineErrorCode.Unavailable => "stage_unavailable",
        PipelineErrorCode.CapacityExceeded => "stage_capacity_exceeded",
        PipelineErrorCode.StateLost => "stage_state_lost",
        PipelineErrorCode.InvalidStep => "stage_invalid_step",
        PipelineErrorCode.Misconfigured => "stage_misconfigured",
        _ => "stage_failed",
    };

    /// <summary>Whether the same request may succeed later (the stage comes back, or frees memory).</summary>
    public bool Retriable => ErrorCode is not (PipelineErrorCode.InvalidStep or PipelineErrorCode.Misconfigured);

    /// <summary>Whether the later stages lost every cache the driver gave them.</summary>
    public bool StateLost => ErrorCode is PipelineErrorCode.Unavailable or PipelineErrorCode.StateLost or PipelineErrorCode.Misconfigured;
}
