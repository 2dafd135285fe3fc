using static TorchSharp.torch;

namespace Qwen2VL.Engine.Pipeline;

/// <summary>
/// One scheduler step as handed to the stages after the driver: the flat batch's segment headers, the hidden states
/// of the previous stage and the positions of every new token. The tensors belong to whoever built the step.
/// </summary>
public sealed record PipelineStep
{
    /// <summary>Segments in flat-batch order; their NewTokens sum to T.</summary>
    public required IReadOnlyList<PipelineSegment> Segments { get; init; }

    /// <summary>Hidden states [T, H] in the model dtype.</summary>
    public required Tensor Hidden { get; init; }

    /// <summary>M-RoPE positions [3, T] (int64).</summary>
    public required Tensor PositionIds { get; init; }

    /// <summary>Rows of the flat batch whose logits the last stage returns, in this order; empty for none.</summary>
    public required IReadOnlyList<long> LogitRows { get; init; }

    /// <summary>Cache keys every later stage drops before running the step.</summary>
    public IReadOnlyList<string> ReleaseKeys { get; init; } = Array.Empty<string>();
}
