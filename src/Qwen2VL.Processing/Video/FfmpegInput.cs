namespace Qwen2VL.Processing.Video;

/// <summary>How inputs are named to ffmpeg and how its failures map to user-facing errors.</summary>
internal static class FfmpegInput
{
    /// <summary>
    /// An explicit <c>file:</c> URL, so a file named like another protocol ("http:…", "concat:…") is still read as a
    /// local file.
    /// </summary>
    public static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    /// <summary>Turns a failed ffmpeg/ffprobe run into the matching <see cref="InvalidVideoException"/>.</summary>
    public static InvalidVideoException Classify(string stderr, string tool, int exitCode)
    {
        string detail = string.IsNullOrWhiteSpace(stderr) ? $"{tool} exited with code {exitCode}" : LastLines(stderr);
        if (stderr.Contains("moov atom not found", StringComparison.OrdinalIgnoreCase)
            || stderr.Contains("partial file", StringComparison.OrdinalIgnoreCase)
            || stderr.Contains("End of file", StringComparison.OrdinalIgnoreCase))
        {
            return new InvalidVideoException(VideoErrorCodes.Truncated, $"the video file is truncated or incomplete: {detail}");
        }

        return new InvalidVideoException(VideoErrorCodes.InvalidVideo, $"the data is not a readable video: {detail}");
    }

    /// <summary>The last few lines of a tool's error output, enough to explain a failure without flooding a response.</summary>
    public static string LastLines(string text, int lines = 3)
    {
        string[] all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", all.Skip(Math.Max(0, all.Length - lines)));
    }
}
