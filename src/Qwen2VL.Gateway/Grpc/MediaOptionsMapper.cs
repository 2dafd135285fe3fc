using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Validation;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>Reads request-level <see cref="MediaOptions"/> into <see cref="MediaProcessingOverrides"/> under the shared rules.</summary>
public static class MediaOptionsMapper
{
    public static MediaProcessingOverrides ToOverrides(MediaOptions? options, string path)
    {
        if (options is null)
        {
            return MediaProcessingOverrides.None;
        }

        long? minPixels = options.HasMinPixels ? options.MinPixels : null;
        long? maxPixels = options.HasMaxPixels ? options.MaxPixels : null;
        MediaRules.CheckPixelBudget(minPixels, maxPixels, path);
        if (options.HasFps)
        {
            MediaRules.Fps.Check(options.Fps, $"{path}.fps");
        }

        if (options.HasMaxFrames)
        {
            MediaRules.MaxFrames.Check(options.MaxFrames, $"{path}.max_frames");
        }

        return new MediaProcessingOverrides(minPixels, maxPixels, options.HasFps ? options.Fps : null, options.HasMaxFrames ? options.MaxFrames : null);
    }
}
