using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Validation;

/// <summary>What images and videos a request may carry and how it may tune their processing.</summary>
public static class MediaRules
{
    public static readonly NumericRange Fps = new(0, 60, MinExclusive: true);

    /// <summary>Two frames is the least a video can be sampled to (frames are taken in pairs).</summary>
    public static readonly NumericRange MaxFrames = new(2, 768);

    /// <summary>Media arrive inline (data: URLs) or by http(s) reference; other schemes (file:, ftp:) are refused here.</summary>
    public static void CheckUrl(string url, string path)
    {
        bool ok = url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
            || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));
        if (!ok)
        {
            string shown = url.Length > 64 ? url[..64] + "…" : url;
            throw OpenAiException.BadRequest($"{path} '{shown}' must be a data: URL or an http(s) URL", path, "invalid_url");
        }
    }

    public static void CheckFrameCount(int frames, ChatRequestLimits limits, string path)
    {
        if (frames == 0)
        {
            throw OpenAiException.BadRequest($"{path} must be a non-empty list of frames", path);
        }

        if (frames > limits.MaxFramesPerVideoList)
        {
            throw OpenAiException.BadRequest($"{path} has {frames} frames; at most {limits.MaxFramesPerVideoList} are allowed", path);
        }
    }

    /// <summary>Refuses a pixel budget that is not positive or whose bounds are the wrong way round.</summary>
    public static void CheckPixelBudget(long? minPixels, long? maxPixels, string path)
    {
        if (minPixels <= 0 || maxPixels <= 0 || minPixels > maxPixels)
        {
            throw OpenAiException.BadRequest($"{path}: min_pixels ({minPixels}) and max_pixels ({maxPixels}) must be positive with min ≤ max", path);
        }
    }

    /// <summary>Counts the images and videos of a conversation against the per-request limits.</summary>
    public static void CheckCounts(IEnumerable<ChatMessage> messages, ChatRequestLimits limits, string path)
    {
        int images = 0, videos = 0;
        foreach (var message in messages)
        {
            images += message.Content.Count(p => p is ImagePart);
            videos += message.Content.Count(p => p is VideoPart);
        }

        if (images > limits.MaxImagesPerRequest)
        {
            throw OpenAiException.BadRequest($"the request has {images} images; at most {limits.MaxImagesPerRequest} are allowed per request", path, "too_many_images");
        }

        if (videos > limits.MaxVideosPerRequest)
        {
            throw OpenAiException.BadRequest($"the request has {videos} videos; at most {limits.MaxVideosPerRequest} are allowed per request", path, "too_many_videos");
        }
    }
}
