using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Prompt;

/// <summary>A preprocessed image or video, ready for the vision tower.</summary>
/// <param name="ContentHash">SHA-256 over what determines its pixels (input bytes, sizes, settings): equal hashes mean equal features.</param>
public sealed record PreparedMediaItem(PatchedPixels Pixels, bool IsVideo, string ContentHash);

/// <summary>Everything the model needs for one prompt.</summary>
/// <param name="TokenIds">Prompt token ids with every media pad expanded.</param>
/// <param name="Positions">M-RoPE positions [3, L] and the rope delta for generated tokens.</param>
/// <param name="Media">Media in the order their pads appear.</param>
/// <param name="Text">The rendered template text (one pad per media item), for logs and debugging.</param>
public sealed record PreparedPrompt(int[] TokenIds, RopePositions Positions, IReadOnlyList<PreparedMediaItem> Media, string Text);
