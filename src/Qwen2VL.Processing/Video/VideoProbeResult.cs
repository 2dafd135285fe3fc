namespace Qwen2VL.Processing.Video;

/// <summary>What ffprobe reports about a video's first video stream.</summary>
/// <param name="StreamIndex">The stream's index in the container (ffmpeg's <c>0:N</c>).</param>
/// <param name="CodecName">ffmpeg's codec name, e.g. <c>h264</c>.</param>
/// <param name="FormatName">ffmpeg's container name, e.g. <c>mov,mp4,m4a,3gp,3g2,mj2</c>.</param>
/// <param name="CodedWidth">Width of the stored pictures.</param>
/// <param name="CodedHeight">Height of the stored pictures.</param>
/// <param name="Rotation">Display rotation in degrees, normalised to 0, 90, 180 or 270.</param>
/// <param name="FrameCount">Frames in the stream (from the container, or counted when it does not say).</param>
/// <param name="Fps">Average frame rate.</param>
/// <param name="DurationSeconds">Duration of the stream (or the container when the stream has none).</param>
public sealed record VideoProbeResult(
    int StreamIndex,
    string CodecName,
    string FormatName,
    int CodedWidth,
    int CodedHeight,
    int Rotation,
    int FrameCount,
    double Fps,
    double DurationSeconds)
{
    /// <summary>Width as displayed: ffmpeg rotates decoded frames, so 90° and 270° swap the sides.</summary>
    public int Width => Rotation is 90 or 270 ? CodedHeight : CodedWidth;

    /// <summary>Height as displayed.</summary>
    public int Height => Rotation is 90 or 270 ? CodedWidth : CodedHeight;
}
