namespace Qwen2VL.Processing.Video;

/// <summary>Where ffmpeg lives, how long it may run, and the sampling defaults; bindable from configuration.</summary>
public sealed record VideoLoaderOptions
{
    /// <summary>The ffmpeg executable: a name looked up on PATH, or a full path.</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>The ffprobe executable: a name looked up on PATH, or a full path.</summary>
    public string FfprobePath { get; init; } = "ffprobe";

    /// <summary>The longest one video may take to probe and decode, all steps together.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The container formats ffmpeg may open (its demuxer names). A fixed list keeps playlist and script formats
    /// (HLS, concat, image sequences) out, since those can make ffmpeg read other files or URLs.
    /// </summary>
    public string AllowedFormats { get; init; } = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,ogg,asf";

    /// <summary>Decoder threads per video; 0 lets ffmpeg choose.</summary>
    public int Threads { get; init; }

    /// <summary>Sampling constants used where a request does not override them.</summary>
    public VideoDefaults Defaults { get; init; } = VideoDefaults.Reference;
}
