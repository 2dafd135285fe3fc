using System.Collections.Concurrent;
using System.Diagnostics;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>
/// The built server executable (<c>dotnet Qwen2VL.Server.dll</c>) as a child process, its output collected line by
/// line so tests can wait for log lines. Killed (SIGKILL) on dispose if still running.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>A name for messages, such as <c>worker-1</c>.</summary>
    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote so far, standard output and error interleaved.</summary>
    public string Output => string.Join('\n', _lines);

    public static ServerProcess Start(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Qwen2VL.Server.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the tests look for: warnings, plus the worker's request and registration lines.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Qwen2VL.Server.Remote"] = "Information";
        start.Environment["Logging__LogLevel__Qwen2VL.Server.Worker"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var server = new ServerProcess(name, process);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Whether a line written so far contains <paramref name="text"/>.</summary>
    public bool HasLine(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until a line contains <paramref name="text"/>; fails with the output when the process exits or time runs out.</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!HasLine(text))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} wrote no line with '{text}' (exited: {_process.HasExited}); its output:\n{Output}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to close connections or unregister.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
