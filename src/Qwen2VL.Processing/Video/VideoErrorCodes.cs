namespace Qwen2VL.Processing.Video;

/// <summary>The stable <see cref="InvalidInputException.Code"/> values of video failures.</summary>
public static class VideoErrorCodes
{
    /// <summary>The data is not a video ffmpeg can read (or not a container this server accepts).</summary>
    public const string InvalidVideo = "invalid_video";

    /// <summary>The container holds no video stream (for example an audio file).</summary>
    public const string NoVideoStream = "video_no_stream";

    /// <summary>The file ends early: its index is missing or fewer frames decode than it declares.</summary>
    public const string Truncated = "video_truncated";

    /// <summary>The video has fewer frames than one temporal patch needs.</summary>
    public const string TooShort = "video_too_short";

    /// <summary>The sampling options contradict each other or the video (for example nframes above the frame count).</summary>
    public const string InvalidOptions = "invalid_video_options";

    /// <summary>A frame list is empty or its frames are unusable.</summary>
    public const string InvalidFrames = "invalid_video_frames";

    /// <summary>A frame list's frames hold more pixels together than the server decodes for one video.</summary>
    public const string TooLarge = "video_too_large";

    /// <summary>Probing or decoding took longer than the configured limit.</summary>
    public const string Timeout = "video_timeout";

    /// <summary>The frame shape cannot be fitted (aspect ratio over 200, or a side collapsing to 0).</summary>
    public const string AspectRatio = "video_aspect_ratio";
}
