namespace Qwen2VL.Processing.Video;

/// <summary>
/// The sampling and pixel-budget constants qwen-vl-utils applies to videos when a request does not override them.
/// A server may replace them (for example a smaller <see cref="TotalPixels"/> to bound prompt length); the defaults are
/// the reference's.
/// </summary>
public sealed record VideoDefaults
{
    /// <summary>The reference's values.</summary>
    public static VideoDefaults Reference { get; } = new();

    /// <summary>Frame sides are multiples of this (patch 14 × spatial merge 2).</summary>
    public int ImageFactor { get; init; } = 28;

    /// <summary>Frame counts are multiples of this (the temporal patch size).</summary>
    public int FrameFactor { get; init; } = 2;

    /// <summary>Frames sampled per second of video when neither <c>fps</c> nor <c>nframes</c> is requested.</summary>
    public double Fps { get; init; } = 2.0;

    /// <summary>The fewest frames fps sampling picks.</summary>
    public int MinFrames { get; init; } = 4;

    /// <summary>The most frames fps sampling picks (also capped by the video's own frame count).</summary>
    public int MaxFrames { get; init; } = 768;

    /// <summary>The smallest pixel count of one sampled frame (128 · 28²).</summary>
    public long MinPixels { get; init; } = 128 * 28 * 28;

    /// <summary>The largest pixel count of one sampled frame (768 · 28²).</summary>
    public long MaxPixels { get; init; } = 768 * 28 * 28;

    /// <summary>The pixel budget of a whole video, shared by its frames (24576 · 28²).</summary>
    public long TotalPixels { get; init; } = 24576 * 28 * 28;

    /// <summary>
    /// The pixel range of a frame given as an image list, and of explicit <c>resized_height/width</c>: qwen-vl-utils
    /// treats those as images, so its image defaults (4 · 28² to 16384 · 28²) apply.
    /// </summary>
    public long ImageMinPixels { get; init; } = 4 * 28 * 28;

    /// <summary>See <see cref="ImageMinPixels"/>.</summary>
    public long ImageMaxPixels { get; init; } = 16384 * 28 * 28;
}
