namespace Qwen2VL.Grains.Tests.Fakes;

/// <summary>How a scripted pipeline fails.</summary>
public enum PipelineFailureKind
{
    /// <summary>The pipeline reports that it lost the sequence's cache.</summary>
    LeaseLost,

    /// <summary>The pipeline's worker dies (connection lost).</summary>
    WorkerDied,
}

/// <summary>One planned failure: on the next call to <paramref name="PipelineId"/> (any pipeline when null), after that many tokens.</summary>
public sealed record PipelineFailure(string? PipelineId, int AfterTokens, PipelineFailureKind Kind);
