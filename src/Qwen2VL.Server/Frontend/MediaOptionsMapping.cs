using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// The processing options stored with each media part: the request's <c>mm_processor_kwargs</c>, and for images
/// OpenAI's <c>detail</c> (<c>low</c> caps the budget; <c>high</c> and <c>auto</c> keep the server's defaults).
/// </summary>
public static class MediaOptionsMapping
{
    /// <summary>
    /// The pixel budget of <c>detail: low</c>: 448×448, so at most 256 vision tokens (16×16 merged patches), as
    /// OpenAI's low-detail mode bounds an image to one small tile.
    /// </summary>
    public const long LowDetailMaxPixels = 448 * 448;

    /// <summary>An image's options: pixel budget only (sampling settings mean nothing to a still image).</summary>
    public static MediaOptions ForImage(MediaProcessingOverrides overrides, string? detail)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        long? max = overrides.MaxPixels, min = overrides.MinPixels;
        if (detail == "low")
        {
            max = Math.Min(max ?? LowDetailMaxPixels, LowDetailMaxPixels);
            // A floor above the cap would contradict it; the cap wins.
            min = min is long floor ? Math.Min(floor, max.Value) : null;
        }

        return new MediaOptions { MinPixels = min, MaxPixels = max };
    }

    /// <summary>A video's options: the per-frame pixel budget and the frame sampling.</summary>
    public static MediaOptions ForVideo(MediaProcessingOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return new MediaOptions { MinPixels = overrides.MinPixels, MaxPixels = overrides.MaxPixels, Fps = overrides.Fps, MaxFrames = overrides.MaxFrames };
    }
}
