using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Video;

/// <summary>
/// The frames chosen from a video, an even number of them, with the size the model sees them at.
/// Frames decoded from a file are already at (<see cref="Height"/>, <see cref="Width"/>); frames given as a list are
/// returned as given and the image pipeline resizes them to that size.
/// </summary>
public sealed class SampledVideo
{
    /// <summary>Creates the result; every frame must be the same size.</summary>
    public SampledVideo(IReadOnlyList<RgbImage> frames, int height, int width, bool framesAtTargetSize, VideoMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (frames.Count == 0)
        {
            throw new ArgumentException("a video needs at least one frame", nameof(frames));
        }

        if (framesAtTargetSize && frames.Any(f => f.Width != width || f.Height != height))
        {
            throw new ArgumentException($"every frame must be {width}×{height}", nameof(frames));
        }

        Frames = frames;
        Height = height;
        Width = width;
        FramesAtTargetSize = framesAtTargetSize;
        Metadata = metadata;
    }

    /// <summary>The sampled frames in time order; their count is a multiple of the frame factor (2).</summary>
    public IReadOnlyList<RgbImage> Frames { get; }

    /// <summary>The height every frame has (or must be resized to), a multiple of 28.</summary>
    public int Height { get; }

    /// <summary>The width every frame has (or must be resized to), a multiple of 28.</summary>
    public int Width { get; }

    /// <summary>True when <see cref="Frames"/> are already at the target size (decoded by ffmpeg).</summary>
    public bool FramesAtTargetSize { get; }

    /// <summary>Source and sampling facts.</summary>
    public VideoMetadata Metadata { get; }
}
