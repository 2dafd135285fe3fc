namespace Qwen2VL.Processing.Video;

/// <summary>
/// Per-request overrides of how a video is sampled and sized, named after qwen-vl-utils' message keys
/// (<c>fps</c>, <c>nframes</c>, <c>min_frames</c>, <c>max_frames</c>, <c>min_pixels</c>, <c>max_pixels</c>,
/// <c>total_pixels</c>, <c>resized_height</c>, <c>resized_width</c>). Null means "use the default".
/// </summary>
public sealed record VideoSamplingRequest
{
    /// <summary>No overrides.</summary>
    public static VideoSamplingRequest Default { get; } = new();

    /// <summary>Frames to sample per second of video; exclusive with <see cref="NFrames"/>.</summary>
    public double? Fps { get; init; }

    /// <summary>An exact frame count (rounded to the frame factor); exclusive with <see cref="Fps"/>.</summary>
    public int? NFrames { get; init; }

    /// <summary>Lower bound of fps sampling.</summary>
    public int? MinFrames { get; init; }

    /// <summary>Upper bound of fps sampling.</summary>
    public int? MaxFrames { get; init; }

    /// <summary>Smallest pixel count of one frame.</summary>
    public long? MinPixels { get; init; }

    /// <summary>Largest pixel count of one frame; when set it replaces the budget derived from <see cref="TotalPixels"/>.</summary>
    public long? MaxPixels { get; init; }

    /// <summary>Pixel budget of the whole video.</summary>
    public long? TotalPixels { get; init; }

    /// <summary>Requested frame height; used only together with <see cref="ResizedWidth"/>, then rounded to the factor.</summary>
    public int? ResizedHeight { get; init; }

    /// <summary>Requested frame width; used only together with <see cref="ResizedHeight"/>.</summary>
    public int? ResizedWidth { get; init; }
}
