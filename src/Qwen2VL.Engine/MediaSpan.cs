namespace Qwen2VL.Engine;

/// <summary>Where one media item's placeholder tokens sit in a token sequence, and which pixels they stand for.</summary>
/// <param name="Start">Index of the first pad token.</param>
/// <param name="Length">Number of pad tokens (merged patches).</param>
/// <param name="ContentHash">Hash of the preprocessed pixels and grid: equal pads with different hashes are different inputs.</param>
public readonly record struct MediaSpan(int Start, int Length, string ContentHash)
{
    public int End => Start + Length;
}
