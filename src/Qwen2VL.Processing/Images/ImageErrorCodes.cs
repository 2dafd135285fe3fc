namespace Qwen2VL.Processing.Images;

/// <summary>The stable <see cref="InvalidInputException.Code"/> values for images a user sent that cannot be used.</summary>
public static class ImageErrorCodes
{
    /// <summary>The bytes are empty or not in a supported image format.</summary>
    public const string UnknownFormat = "image_unknown_format";

    /// <summary>The data ends before the image does.</summary>
    public const string Truncated = "image_truncated";

    /// <summary>The data is in a known format but cannot be decoded.</summary>
    public const string Corrupt = "image_corrupt";

    /// <summary>The header announces more pixels than the configured limit.</summary>
    public const string TooLarge = "image_too_large";

    /// <summary>A side is shorter than the patch × merge factor (28 for Qwen2-VL).</summary>
    public const string TooSmall = "image_too_small";

    /// <summary>The image is too elongated: a ratio over 200, or a side that collapses to 0 under the pixel budget.</summary>
    public const string AspectRatio = "image_aspect_ratio";

    /// <summary>A video (frame list) without any frame.</summary>
    public const string NoFrames = "video_no_frames";

    /// <summary>Per-request size settings that contradict each other or are out of range.</summary>
    public const string InvalidSizeRequest = "image_invalid_size_request";
}
