using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Qwen2VL.Cli.Bench.Cluster;

/// <summary>
/// The server executable (<c>dotnet Qwen2VL.Server.dll</c>, built beside this tool) as a child process, its output kept
/// for error messages. Killed with its own children (pipeline stages) on dispose.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>A name for messages, such as <c>worker</c>.</summary>
    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>The last lines the process wrote, standard output and error interleaved.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>Starts the server with <paramref name="arguments"/>; warnings and errors only are logged.</summary>
    public static ServerProcess Start(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        string executable = Path.Combine(AppContext.BaseDirectory, "Qwen2VL.Server.dll");
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"the server executable is not beside this tool: {executable}");
        }

        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(executable);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start the {name} server");
        var server = new ServerProcess(name, process);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until <paramref name="address"/> answers 200; fails with the process's output when it exits or time runs out.</summary>
    public async Task WaitForHttpAsync(Uri address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(address, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (_process.HasExited || clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{address} did not answer 200 within {timeout.TotalSeconds:0} s (the {Name} server {(_process.HasExited ? $"exited with {_process.ExitCode}" : "still runs")}); it wrote:\n{Output}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone, or gone too slowly to wait for.
        }

        _process.Dispose();
    }

    // Under "dotnet Qwen2VL.Cli.dll" this process is the dotnet host itself; under the apphost, the one on the PATH.
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
        {
        }
    }
}
