using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Video;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>
/// How many vision tokens the resize and sampling rules give, computed with the processing code's own smart-resize
/// and frame sampling (golden-tested in Qwen2VL.Processing.Tests), for comparing with the prompt_tokens a server
/// reports.
/// </summary>
public static class VisionTokenRules
{
    /// <summary>Tokens of an image of <paramref name="height"/> × <paramref name="width"/> under <paramref name="request"/> (null: the checkpoint's sizing).</summary>
    public static int Image(string checkpoint, int height, int width, ImageSizeRequest? request = null)
    {
        var options = VisionPreprocessorOptions.Load(checkpoint);
        var (h, w) = ImageSizing.TargetSize(height, width, options, request);
        return h / options.Factor * (w / options.Factor);
    }

    /// <summary>Tokens of a video file with the given stream facts, sampled under <paramref name="request"/>.</summary>
    public static int VideoFile(string checkpoint, int height, int width, int totalFrames, double fps, VideoSamplingRequest request)
    {
        var defaults = VideoDefaults.Reference;
        int frames = FrameSampler.FrameCount(request, totalFrames, fps, defaults);
        var (h, w) = VideoFrameSize.ForDecodedVideo(height, width, frames, request, defaults);
        return frames / defaults.FrameFactor * Frame(checkpoint, h, w);
    }

    /// <summary>Tokens of a video given as <paramref name="frames"/> frames of one size (padded to an even count).</summary>
    public static int FrameList(string checkpoint, int height, int width, int frames, VideoSamplingRequest request)
    {
        var defaults = VideoDefaults.Reference;
        var (h, w) = VideoFrameSize.ForFrameList(height, width, request, defaults);
        return FrameSampler.CeilByFactor(frames, defaults.FrameFactor) / defaults.FrameFactor * Frame(checkpoint, h, w);
    }

    /// <summary>Tokens of one temporal patch of frames the video code sized to <paramref name="height"/> × <paramref name="width"/>.</summary>
    private static int Frame(string checkpoint, int height, int width) =>
        Image(checkpoint, height, width, new ImageSizeRequest { ResizedHeight = height, ResizedWidth = width });
}
