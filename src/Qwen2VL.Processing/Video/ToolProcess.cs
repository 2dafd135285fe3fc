using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Qwen2VL.Processing.Video;

/// <summary>
/// One run of ffmpeg or ffprobe: started without a shell, its standard error kept (the tail only, so a chatty decoder
/// cannot grow memory), and killed with its children when the caller gives up.
/// </summary>
internal sealed class ToolProcess : IDisposable
{
    private const int StderrTailChars = 8192;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly CancellationTokenRegistration _killOnCancel;

    private ToolProcess(Process process, CancellationToken cancellationToken)
    {
        _process = process;
        _stderrPump = PumpStderrAsync();
        // Killing closes the pipes, which ends a pending read even where the read itself ignores cancellation.
        _killOnCancel = cancellationToken.Register(Kill);
    }

    /// <summary>The tool's standard output.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>
    /// Starts <paramref name="executable"/>, to be killed when <paramref name="cancellationToken"/> fires; a missing
    /// executable becomes <see cref="FfmpegNotFoundException"/>.
    /// </summary>
    public static ToolProcess Start(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new FfmpegNotFoundException(executable, ex);
        }

        return new ToolProcess(process, cancellationToken);
    }

    /// <summary>Waits for exit and returns the exit code.</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The last few kilobytes the tool wrote to standard error, trimmed.</summary>
    public string StderrTail()
    {
        lock (_stderr)
        {
            return _stderr.ToString().Trim();
        }
    }

    /// <summary>Kills the process tree if it is still running.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        _killOnCancel.Dispose();
        Kill();
        _process.Dispose();
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[1024];
        var reader = _process.StandardError;
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, read);
                if (_stderr.Length > StderrTailChars * 2)
                {
                    _stderr.Remove(0, _stderr.Length - StderrTailChars);
                }
            }
        }
    }
}
