using static TorchSharp.torch;

namespace Qwen2VL.Model.Stages;

/// <summary>
/// A flat batch of new tokens from one or more sequences for one stage: no padding, sequences one after another in
/// <see cref="Segments"/> order. The first stage takes token ids (and the vision features of the pad tokens among
/// them); later stages take the previous stage's hidden states.
/// </summary>
public sealed class StageInput
{
    /// <summary>One entry per sequence; their NewTokens sum to the batch length T.</summary>
    public required IReadOnlyList<SequenceSegment> Segments { get; init; }

    /// <summary>M-RoPE position ids [3, T] (int64): temporal, height and width rows.</summary>
    public required Tensor PositionIds { get; init; }

    /// <summary>Token ids [T] (int64); first stage only.</summary>
    public Tensor? InputIds { get; init; }

    /// <summary>Hidden states [T, H] from the previous stage; every stage but the first.</summary>
    public Tensor? Hidden { get; init; }

    /// <summary>
    /// Features [n, H] for the <c>&lt;|image_pad|&gt;</c> tokens among <see cref="InputIds"/>, in order of appearance
    /// (one row per pad token; a chunk carries only the rows of its own pad tokens).
    /// </summary>
    public Tensor? ImageEmbeds { get; init; }

    /// <summary>Features [n, H] for the <c>&lt;|video_pad|&gt;</c> tokens among <see cref="InputIds"/>, in order.</summary>
    public Tensor? VideoEmbeds { get; init; }

    /// <summary>
    /// Rows of the flat batch whose logits the last stage computes, in the order wanted. Null means the last token of
    /// each segment; empty means none (for example a prefill chunk that is not the prompt's end).
    /// </summary>
    public IReadOnlyList<long>? LogitRows { get; init; }

    /// <summary>Whether to return the hidden state after the embedding and after every layer (slow; for checks).</summary>
    public bool CaptureHiddenStates { get; init; }
}
