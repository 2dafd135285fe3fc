using System.Diagnostics;

namespace Qwen2VL.Processing.Tests.Video;

/// <summary>Makes small test videos with ffmpeg's lavfi sources, in a folder removed when the fixture is disposed.</summary>
public sealed class SyntheticVideo : IDisposable
{
    private readonly Dictionary<string, string> _made = [];

    public string Folder { get; } = Directory.CreateTempSubdirectory("qwen2vl-video-tests-").FullName;

    /// <summary>
    /// 30 frames at 10 fps, 96×64, every frame a flat grey whose luma is 16 + 7·n, so a decoded frame's mean tells its number.
    /// Lossless H.264 in MP4 (index at the end).
    /// </summary>
    public string NumberedGrey => Make("numbered.mp4",
        "-f", "lavfi", "-i", "nullsrc=s=96x64:r=10:d=3,geq=lum='16+7*N':cb=128:cr=128",
        "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p");

    /// <summary>The same content in Matroska, which does not record a frame count.</summary>
    public string NumberedGreyMkv => Make("numbered.mkv",
        "-f", "lavfi", "-i", "nullsrc=s=96x64:r=10:d=3,geq=lum='16+7*N':cb=128:cr=128",
        "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p");

    /// <summary>A 96×64 video flagged to display rotated by 90°.</summary>
    public string Rotated
    {
        get
        {
            string source = Make("plain.mp4", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p");
            return Make("rotated.mp4", "-i", source, "-c", "copy", "-metadata:s:v:0", "rotate=90");
        }
    }

    /// <summary>An MP4 with its index first ("faststart"), so a cut copy still opens but ends early.</summary>
    public string FastStart => Make("faststart.mp4",
        "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart");

    /// <summary>An audio-only M4A.</summary>
    public string AudioOnly => Make("audio.m4a", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac");

    /// <summary>Twenty minutes of 320×240 at 5 fps (6000 frames): 1.4 GB if every frame were held decoded.</summary>
    public string TwentyMinutes => Make("long.mp4",
        "-f", "lavfi", "-i", "color=c=gray:size=320x240:rate=5:duration=1200",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");

    /// <summary>Writes the first <paramref name="fraction"/> of <paramref name="source"/> to a new file.</summary>
    public string Truncated(string source, double fraction)
    {
        byte[] bytes = File.ReadAllBytes(source);
        string path = Path.Combine(Folder, $"cut-{fraction:0.00}-{Path.GetFileName(source)}");
        File.WriteAllBytes(path, bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray());
        return path;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private string Make(string name, params string[] arguments)
    {
        lock (_made)
        {
            if (_made.TryGetValue(name, out string? existing))
            {
                return existing;
            }

            string path = Path.Combine(Folder, name);
            var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in (string[])["-nostdin", "-hide_banner", "-v", "error", "-y", .. arguments, path])
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not make {name}: {stderr}");
            }

            _made[name] = path;
            return path;
        }
    }
}
