namespace Qwen2VL.Processing.Video;

/// <summary>
/// The server cannot decode videos because ffmpeg or ffprobe is not installed. This is a deployment problem, not the
/// user's, so it is not an <see cref="InvalidInputException"/>.
/// </summary>
public sealed class FfmpegNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception for the executable that could not be started.</summary>
    public FfmpegNotFoundException(string executable, Exception? innerException = null)
        : base($"'{executable}' could not be started, so videos cannot be decoded. Install ffmpeg (it provides ffmpeg and ffprobe; "
            + "on Debian/Ubuntu: apt-get install ffmpeg) or set the configured ffmpeg/ffprobe paths.", innerException)
    {
        Executable = executable;
    }

    /// <summary>The executable name or path that failed to start.</summary>
    public string Executable { get; }
}
