using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Video;

/// <summary>The size every sampled frame of a video is resized to, following qwen-vl-utils' <c>fetch_video</c>.</summary>
public static class VideoFrameSize
{
    /// <summary>
    /// The per-frame pixel ceiling qwen-vl-utils derives for a decoded video:
    /// <c>max(min(VIDEO_MAX_PIXELS, total_pixels / nframes · FRAME_FACTOR), int(min_pixels · 1.05))</c>, unless the
    /// request sets <c>max_pixels</c>. It is fractional in general, and kept so: it decides the shrink factor.
    /// </summary>
    public static double MaxPixelsPerFrame(int frameCount, VideoSamplingRequest request, VideoDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameCount);
        if (request.MaxPixels is long explicitMax)
        {
            return explicitMax;
        }

        long minPixels = request.MinPixels ?? defaults.MinPixels;
        long totalPixels = request.TotalPixels ?? defaults.TotalPixels;
        double shared = totalPixels / (double)frameCount * defaults.FrameFactor;
        return Math.Max(Math.Min(defaults.MaxPixels, shared), Math.Floor(minPixels * 1.05));
    }

    /// <summary>
    /// The target (height, width) of the frames of a decoded video whose displayed size is
    /// <paramref name="height"/> × <paramref name="width"/> and from which <paramref name="frameCount"/> frames are sampled.
    /// </summary>
    public static (int Height, int Width) ForDecodedVideo(int height, int width, int frameCount, VideoSamplingRequest request, VideoDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(defaults);
        if (TryExplicit(request, defaults, out var size))
        {
            return size;
        }

        long minPixels = request.MinPixels ?? defaults.MinPixels;
        return Fit(height, width, defaults.ImageFactor, minPixels, MaxPixelsPerFrame(frameCount, request, defaults));
    }

    /// <summary>
    /// The target size for a video given as a list of frames: qwen-vl-utils resizes each frame as an image (image pixel
    /// defaults, overridable by <c>min_pixels</c>/<c>max_pixels</c>), and the processor brings all frames to the first
    /// frame's size, so the first frame decides.
    /// </summary>
    public static (int Height, int Width) ForFrameList(int firstHeight, int firstWidth, VideoSamplingRequest request, VideoDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(defaults);
        if (TryExplicit(request, defaults, out var size))
        {
            return size;
        }

        return Fit(firstHeight, firstWidth, defaults.ImageFactor,
            request.MinPixels ?? defaults.ImageMinPixels, request.MaxPixels ?? defaults.ImageMaxPixels);
    }

    private static bool TryExplicit(VideoSamplingRequest request, VideoDefaults defaults, out (int Height, int Width) size)
    {
        if (request.ResizedHeight is int h && request.ResizedWidth is int w)
        {
            if (h <= 0 || w <= 0)
            {
                throw new InvalidVideoException(VideoErrorCodes.InvalidOptions, $"resized_height and resized_width must be positive, got {h}×{w}");
            }

            // The reference rounds an explicit size with the image defaults, not the video budget.
            size = Fit(h, w, defaults.ImageFactor, defaults.ImageMinPixels, defaults.ImageMaxPixels);
            return true;
        }

        size = default;
        return false;
    }

    /// <summary>
    /// qwen-vl-utils' <c>smart_resize</c> with a fractional pixel ceiling. The shared
    /// <see cref="SmartResize.QwenVlUtils"/> takes whole-pixel budgets; truncating the video budget would change the
    /// shrink factor β = √(h·w / max) and with it the floor for some sizes.
    /// </summary>
    private static (int Height, int Width) Fit(int height, int width, int factor, double minPixels, double maxPixels)
    {
        if (height <= 0 || width <= 0)
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidFrames, $"frames are {width}×{height}; both sides must be positive");
        }

        double ratio = Math.Max(height, width) / (double)Math.Min(height, width);
        if (ratio > SmartResize.MaxAspectRatio)
        {
            throw new InvalidVideoException(VideoErrorCodes.AspectRatio,
                $"frames are {width}×{height}, an aspect ratio of {ratio:0.##}; it must be at most {SmartResize.MaxAspectRatio:0}");
        }

        int hBar = Math.Max(factor, FrameSampler.RoundByFactor(height, factor));
        int wBar = Math.Max(factor, FrameSampler.RoundByFactor(width, factor));
        if ((double)hBar * wBar > maxPixels)
        {
            double beta = Math.Sqrt(height * (double)width / maxPixels);
            hBar = FrameSampler.FloorByFactor(height / beta, factor);
            wBar = FrameSampler.FloorByFactor(width / beta, factor);
        }
        else if ((double)hBar * wBar < minPixels)
        {
            double beta = Math.Sqrt(minPixels / (height * (double)width));
            hBar = FrameSampler.CeilByFactor(height * beta, factor);
            wBar = FrameSampler.CeilByFactor(width * beta, factor);
        }

        if (hBar <= 0 || wBar <= 0)
        {
            throw new InvalidVideoException(VideoErrorCodes.AspectRatio,
                $"frames are {width}×{height}; fitting them into {maxPixels:0} pixels leaves a side of 0");
        }

        return (hBar, wBar);
    }
}
