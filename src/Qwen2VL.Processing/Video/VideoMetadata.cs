namespace Qwen2VL.Processing.Video;

/// <summary>Where the sampled frames came from in the source video.</summary>
/// <param name="SourceFps">The source's average frame rate (for a frame list: the rate the request states, default 2).</param>
/// <param name="SourceFrameCount">Frames in the source (for a frame list: the frames given, before padding).</param>
/// <param name="DurationSeconds">The source's duration.</param>
/// <param name="SampledFps">Sampled frames per second of video: frames ÷ source frames × source fps.</param>
/// <param name="FrameIndices">The source frame each sampled frame is, in order (padding repeats the last index).</param>
/// <param name="TimestampsSeconds">Each sampled frame's time in the source: index ÷ source fps.</param>
public sealed record VideoMetadata(
    double SourceFps,
    int SourceFrameCount,
    double DurationSeconds,
    double SampledFps,
    IReadOnlyList<int> FrameIndices,
    IReadOnlyList<double> TimestampsSeconds)
{
    internal static VideoMetadata Create(double sourceFps, int sourceFrames, double durationSeconds, int[] indices, double? sampledFps = null)
    {
        double[] timestamps = sourceFps > 0 ? [.. indices.Select(i => i / sourceFps)] : new double[indices.Length];
        sampledFps ??= sourceFrames > 0 ? indices.Length / (double)sourceFrames * sourceFps : 0;
        return new VideoMetadata(sourceFps, sourceFrames, durationSeconds, sampledFps.Value, indices, timestamps);
    }
}
