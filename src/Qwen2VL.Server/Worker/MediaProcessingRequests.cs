using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Video;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// Turns a part's stored <see cref="MediaOptions"/> into the processing requests of the image and video code. What a
/// part leaves unset keeps this worker's defaults; what it sets is held to this worker's limits: the image processor
/// clamps every size to the checkpoint's pixel range, and a video's frame count is capped at the loader's maximum.
/// </summary>
public static class MediaProcessingRequests
{
    /// <summary>The size request of an image, or null for the checkpoint's own sizing.</summary>
    /// <exception cref="GenerationRejectedException">A value is out of range (<c>invalid_media_options</c>).</exception>
    public static ImageSizeRequest? ForImage(MediaOptions? options)
    {
        if (options is null || (options.MinPixels is null && options.MaxPixels is null))
        {
            // Null, not an empty request: a request switches sizing to qwen-vl-utils' two-step rule.
            return null;
        }

        Validate(options);
        return new ImageSizeRequest { MinPixels = options.MinPixels, MaxPixels = options.MaxPixels };
    }

    /// <summary>The sampling request of a video, or null for the defaults.</summary>
    /// <exception cref="GenerationRejectedException">A value is out of range (<c>invalid_media_options</c>).</exception>
    public static VideoSamplingRequest? ForVideo(MediaOptions? options, VideoDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (options is null || options.IsEmpty)
        {
            return null;
        }

        Validate(options);
        return new VideoSamplingRequest
        {
            MinPixels = options.MinPixels,
            MaxPixels = options.MaxPixels,
            Fps = options.Fps,
            MaxFrames = options.MaxFrames is int maxFrames ? Math.Min(maxFrames, defaults.MaxFrames) : null,
        };
    }

    private static void Validate(MediaOptions options)
    {
        if (options.MinPixels <= 0 || options.MaxPixels <= 0 || options.MinPixels > options.MaxPixels)
        {
            throw Invalid($"min_pixels ({Show(options.MinPixels)}) and max_pixels ({Show(options.MaxPixels)}) must be positive with min ≤ max");
        }

        if (options.Fps is double fps && !(fps > 0 && double.IsFinite(fps)))
        {
            throw Invalid($"fps must be a positive number, got {fps}");
        }

        if (options.MaxFrames <= 0)
        {
            throw Invalid($"max_frames must be positive, got {options.MaxFrames}");
        }
    }

    private static string Show<T>(T? value) where T : struct => value?.ToString() ?? "not set";

    private static GenerationRejectedException Invalid(string message) => new("invalid_media_options", message);
}
