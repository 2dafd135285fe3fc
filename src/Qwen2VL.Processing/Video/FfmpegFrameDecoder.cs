using System.Globalization;
using System.Text;
using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Video;

/// <summary>
/// Decodes chosen frames of a video with ffmpeg, which selects and scales them before they reach this process: the
/// pipe carries only the sampled frames at their final size as raw RGB, so memory is bounded by the output, whatever
/// the video's length or resolution.
/// </summary>
internal sealed class FfmpegFrameDecoder(VideoLoaderOptions options)
{
    private const int TermsPerGroup = 50;

    public async Task<RgbImage[]> DecodeAsync(string path, VideoProbeResult probe, int[] indices, int height, int width, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            "-nostdin", "-hide_banner", "-v", "error",
            "-protocol_whitelist", "file", "-format_whitelist", options.AllowedFormats,
        };
        if (options.Threads > 0)
        {
            arguments.AddRange(["-threads", options.Threads.ToString(CultureInfo.InvariantCulture)]);
        }

        arguments.AddRange(
        [
            "-i", FfmpegInput.FileUrl(path),
            "-map", "0:" + probe.StreamIndex.ToString(CultureInfo.InvariantCulture), "-an", "-sn", "-dn",
            "-vf", FilterGraph(indices, height, width),
            // Passthrough keeps ffmpeg from duplicating or dropping frames to fit a constant output rate.
            "-fps_mode", "passthrough",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ]);

        using var process = ToolProcess.Start(options.FfmpegPath, arguments, cancellationToken);
        var frames = new List<RgbImage>(indices.Length);
        int frameBytes = checked(height * width * 3);
        while (frames.Count < indices.Length)
        {
            byte[] pixels = new byte[frameBytes];
            int read = await process.Output.ReadAtLeastAsync(pixels, frameBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < frameBytes)
            {
                break;
            }

            frames.Add(new RgbImage(width, height, pixels));
        }

        // Anything after the last wanted frame is not needed; stop ffmpeg instead of draining it.
        bool complete = frames.Count == indices.Length;
        if (complete)
        {
            process.Kill();
        }

        int exitCode = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (complete)
        {
            return [.. frames];
        }

        string stderr = process.StderrTail();
        if (exitCode != 0 && frames.Count == 0)
        {
            var failure = FfmpegInput.Classify(stderr, "ffmpeg", exitCode);
            if (failure.Code != VideoErrorCodes.Truncated)
            {
                throw failure;
            }
        }

        string detail = stderr.Length > 0 ? ": " + FfmpegInput.LastLines(stderr) : "";
        throw new InvalidVideoException(VideoErrorCodes.Truncated,
            $"the video declares {probe.FrameCount} frames but only {frames.Count} of the {indices.Length} sampled frames (up to frame {indices[^1]}) could be decoded{detail}");
    }

    /// <summary>
    /// <c>select</c> keeps the sampled frame numbers (counted from 0 in decode order), then <c>scale</c> resizes with
    /// bicubic filtering (area-aware when shrinking), then the frames are converted to packed RGB.
    /// </summary>
    private static string FilterGraph(int[] indices, int height, int width)
    {
        var filter = new StringBuilder("select='");
        AppendAnyOf(filter, indices);
        filter.Append(CultureInfo.InvariantCulture,
            $"',scale={width}:{height}:flags=bicubic+accurate_rnd+full_chroma_int,setsar=1,format=rgb24");
        return filter.ToString();
    }

    /// <summary>
    /// Writes <c>eq(n,i0)+eq(n,i1)+…</c>. ffmpeg's expression parser refuses a flat sum of more than about 100 terms,
    /// so longer lists become a tree of parenthesised groups of at most <see cref="TermsPerGroup"/>.
    /// </summary>
    private static void AppendAnyOf(StringBuilder expression, ReadOnlySpan<int> indices)
    {
        if (indices.Length <= TermsPerGroup)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                expression.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "+" : "")}eq(n,{indices[i]})");
            }

            return;
        }

        int groupSize = (int)Math.Ceiling(indices.Length / (double)TermsPerGroup);
        for (int start = 0; start < indices.Length; start += groupSize)
        {
            expression.Append(start > 0 ? "+(" : "(");
            AppendAnyOf(expression, indices.Slice(start, Math.Min(groupSize, indices.Length - start)));
            expression.Append(')');
        }
    }
}
