namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>A stage of the pipeline could not be reached or died during the call.</summary>
public sealed class PipelineUnreachableException : PipelineFailureException
{
    /// <summary>Creates the exception.</summary>
    public PipelineUnreachableException(string pipelineId, string stageAddress, string reason, Exception? innerException = null)
        : base(pipelineId, $"pipeline '{pipelineId}' failed at stage {stageAddress}: {reason}", innerException) =>
        StageAddress = stageAddress;

    /// <summary>The address of the stage that failed.</summary>
    public string StageAddress { get; }
}
