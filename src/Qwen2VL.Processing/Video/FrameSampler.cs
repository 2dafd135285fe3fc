namespace Qwen2VL.Processing.Video;

/// <summary>
/// Decides how many frames of a video are used and which ones, exactly as qwen-vl-utils does
/// (<c>smart_nframes</c> and <c>torch.linspace(0, total - 1, n).round()</c>).
/// </summary>
public static class FrameSampler
{
    /// <summary>
    /// The number of frames to sample: an explicit <c>nframes</c> rounded to the frame factor, or
    /// <c>total / videoFps · fps</c> clamped to [min_frames, max_frames] and rounded to the frame factor.
    /// </summary>
    /// <param name="request">Per-request overrides.</param>
    /// <param name="totalFrames">Frames in the video.</param>
    /// <param name="videoFps">The video's average frame rate.</param>
    /// <param name="defaults">The constants used where the request says nothing.</param>
    public static int FrameCount(VideoSamplingRequest request, int totalFrames, double videoFps, VideoDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(defaults);
        int factor = defaults.FrameFactor;
        if (request.Fps is not null && request.NFrames is not null)
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidOptions,
                $"give either fps ({request.Fps}) or nframes ({request.NFrames}), not both");
        }

        if (totalFrames < factor)
        {
            throw new InvalidVideoException(VideoErrorCodes.TooShort,
                $"the video has {totalFrames} frame(s); at least {factor} are needed");
        }

        int frames;
        if (request.NFrames is int requested)
        {
            frames = RoundByFactor(requested, factor);
        }
        else
        {
            double fps = request.Fps ?? defaults.Fps;
            if (!(fps > 0) || double.IsInfinity(fps))
            {
                throw new InvalidVideoException(VideoErrorCodes.InvalidOptions, $"fps must be a positive number, got {fps}");
            }

            if (!(videoFps > 0) || double.IsInfinity(videoFps))
            {
                throw new InvalidVideoException(VideoErrorCodes.InvalidVideo, $"the video reports a frame rate of {videoFps}; it cannot be sampled by fps");
            }

            int minFrames = CeilByFactor(request.MinFrames ?? defaults.MinFrames, factor);
            // The reference does not cap an explicit max_frames by the frame count and then fails the range check;
            // capping gives the same result wherever the reference succeeds.
            int maxFrames = FloorByFactor(Math.Min(request.MaxFrames ?? defaults.MaxFrames, totalFrames), factor);
            double wanted = totalFrames / videoFps * fps;
            frames = RoundByFactor(Math.Min(Math.Max(wanted, minFrames), maxFrames), factor);
        }

        if (frames < factor || frames > totalFrames)
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidOptions,
                $"the video has {totalFrames} frames; the requested sampling gives {frames}, which must be between {factor} and {totalFrames}");
        }

        return frames;
    }

    /// <summary>
    /// The sampled frame indices: <paramref name="count"/> points spread evenly over [0, total − 1], rounded half to
    /// even. Computed in float32 with torch's two-sided formula (from the start for the first half, from the end for
    /// the second), because long videos can land within float32 error of a rounding boundary.
    /// </summary>
    public static int[] FrameIndices(int totalFrames, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalFrames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var indices = new int[count];
        if (count == 1)
        {
            return indices;
        }

        float end = totalFrames - 1;
        float step = end / (count - 1);
        int halfway = count / 2;
        for (int i = 0; i < count; i++)
        {
            float value = i < halfway ? step * i : end - (step * (count - i - 1));
            indices[i] = (int)MathF.Round(value, MidpointRounding.ToEven);
        }

        return indices;
    }

    /// <summary>qwen-vl-utils' <c>round_by_factor</c>: the nearest multiple, ties to the even quotient (Python's round).</summary>
    public static int RoundByFactor(double value, int factor) => (int)Math.Round(value / factor, MidpointRounding.ToEven) * factor;

    /// <summary>qwen-vl-utils' <c>ceil_by_factor</c>.</summary>
    public static int CeilByFactor(double value, int factor) => (int)Math.Ceiling(value / factor) * factor;

    /// <summary>qwen-vl-utils' <c>floor_by_factor</c>.</summary>
    public static int FloorByFactor(double value, int factor) => (int)Math.Floor(value / factor) * factor;
}
