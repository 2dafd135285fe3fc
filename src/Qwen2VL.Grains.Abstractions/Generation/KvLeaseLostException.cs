namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>
/// The pipeline no longer holds (or will not keep) the sequence's cache: a stage restarted or evicted it. The
/// pipeline may be healthy; the session still moves, since its cache must be rebuilt anyway.
/// </summary>
public sealed class KvLeaseLostException : PipelineFailureException
{
    /// <summary>Creates the exception.</summary>
    public KvLeaseLostException(string pipelineId, string sequenceKey, string reason, Exception? innerException = null)
        : base(pipelineId, $"pipeline '{pipelineId}' lost the cache of '{sequenceKey}': {reason}", innerException) =>
        SequenceKey = sequenceKey;

    /// <summary>The sequence whose cache was lost.</summary>
    public string SequenceKey { get; }
}
