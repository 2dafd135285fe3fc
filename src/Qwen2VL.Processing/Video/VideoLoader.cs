using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Video;

/// <summary>
/// Turns a video (a file, bytes, or a list of frames) into the sampled, equally sized frames the model takes,
/// following qwen-vl-utils' <c>fetch_video</c>: sample by fps or an explicit frame count, pick frames evenly, and size
/// them within the per-frame and whole-video pixel budgets. Files are probed with ffprobe and decoded with ffmpeg.
/// </summary>
public sealed class VideoLoader
{
    private readonly VideoLoaderOptions _options;
    private readonly FfprobeClient _probe;
    private readonly FfmpegFrameDecoder _decoder;

    /// <summary>Creates a loader; options default to ffmpeg/ffprobe on PATH and the reference sampling constants.</summary>
    public VideoLoader(VideoLoaderOptions? options = null)
    {
        _options = options ?? new VideoLoaderOptions();
        _probe = new FfprobeClient(_options);
        _decoder = new FfmpegFrameDecoder(_options);
    }

    /// <summary>The sampling constants used where a request does not override them.</summary>
    public VideoDefaults Defaults => _options.Defaults;

    /// <summary>Reads a video's stream facts (size, rotation, frame count, fps, duration) without decoding it.</summary>
    public async Task<VideoProbeResult> ProbeAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var timeout = StartTimeout(cancellationToken);
        try
        {
            return await _probe.ProbeAsync(path, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(ex);
        }
    }

    /// <summary>Samples and decodes a video file.</summary>
    /// <param name="path">A local file the caller has already vetted (see the media fetcher for untrusted references).</param>
    /// <param name="request">Per-request sampling overrides, or null for the defaults.</param>
    /// <param name="cancellationToken">Stops probing and decoding, and kills ffmpeg.</param>
    public async Task<SampledVideo> LoadFileAsync(string path, VideoSamplingRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"video file '{path}' does not exist", path);
        }

        request ??= VideoSamplingRequest.Default;
        using var timeout = StartTimeout(cancellationToken);
        try
        {
            var probe = await _probe.ProbeAsync(path, timeout.Token).ConfigureAwait(false);
            var defaults = _options.Defaults;
            int count = FrameSampler.FrameCount(request, probe.FrameCount, probe.Fps, defaults);
            int[] indices = FrameSampler.FrameIndices(probe.FrameCount, count);
            var (height, width) = VideoFrameSize.ForDecodedVideo(probe.Height, probe.Width, count, request, defaults);
            var frames = await _decoder.DecodeAsync(path, probe, indices, height, width, timeout.Token).ConfigureAwait(false);
            var metadata = VideoMetadata.Create(probe.Fps, probe.FrameCount, probe.DurationSeconds, indices);
            return new SampledVideo(frames, height, width, framesAtTargetSize: true, metadata);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(ex);
        }
    }

    /// <summary>
    /// Samples and decodes a video held in memory (for example fetched from a URL). The bytes go to a temporary file
    /// first: MP4s written without "faststart" keep their index at the end, which a pipe cannot seek to.
    /// </summary>
    public async Task<SampledVideo> LoadBytesAsync(ReadOnlyMemory<byte> data, VideoSamplingRequest? request = null, CancellationToken cancellationToken = default)
    {
        if (data.IsEmpty)
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidVideo, "the video is empty (0 bytes)");
        }

        string path = Path.Combine(Path.GetTempPath(), "qwen2vl-video-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }

            return await LoadFileAsync(path, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Takes a video given as already decoded frames: an odd count is padded by repeating the last frame, and the
    /// target size is computed from the first frame. The frames are returned as given
    /// (<see cref="SampledVideo.FramesAtTargetSize"/> is false); the image pipeline resizes them.
    /// </summary>
    public static SampledVideo FromFrames(IReadOnlyList<RgbImage> frames, VideoSamplingRequest? request = null, VideoDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        request ??= VideoSamplingRequest.Default;
        defaults ??= VideoDefaults.Reference;
        if (frames.Count == 0)
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidFrames, "the video frame list is empty");
        }

        if (frames.Any(f => f is null))
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidFrames, "the video frame list contains a missing frame");
        }

        var (height, width) = VideoFrameSize.ForFrameList(frames[0].Height, frames[0].Width, request, defaults);
        int padded = FrameSampler.CeilByFactor(frames.Count, defaults.FrameFactor);
        var output = new List<RgbImage>(padded);
        var indices = new int[padded];
        for (int i = 0; i < padded; i++)
        {
            indices[i] = Math.Min(i, frames.Count - 1);
            output.Add(frames[indices[i]]);
        }

        double fps = request.Fps ?? defaults.Fps;
        // A frame list is already the sampled sequence: it plays at the stated rate.
        var metadata = VideoMetadata.Create(fps, frames.Count, frames.Count / fps, indices, sampledFps: fps);
        return new SampledVideo(output, height, width, framesAtTargetSize: false, metadata);
    }

    private CancellationTokenSource StartTimeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_options.Timeout);
        return source;
    }

    private InvalidVideoException TimedOut(Exception inner) =>
        new(VideoErrorCodes.Timeout, $"the video took longer than {_options.Timeout.TotalSeconds:0.#} s to probe and decode", inner);
}
