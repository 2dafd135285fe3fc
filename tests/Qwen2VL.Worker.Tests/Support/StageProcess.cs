using System.Diagnostics;
using System.Text;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Worker.Tests.Support;

/// <summary>A stage host running as its own process on loopback, started from the test-host executable.</summary>
public sealed class StageProcess : IAsyncDisposable
{
    private const string ListeningMarker = " listening on ";
    private readonly string _layers;
    private readonly string? _next;
    private readonly string[] _extra;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private StageProcess(string layers, string? next, string[] extra)
    {
        _layers = layers;
        _next = next;
        _extra = extra;
    }

    /// <summary>http://127.0.0.1:port of the running stage.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The bound port; a restart binds the same one.</summary>
    public int Port { get; private set; }

    /// <summary>Starts the stage holding <paramref name="layers"/> (a:b) of the tiny checkpoint in float32, one thread.</summary>
    public static async Task<StageProcess> StartAsync(string layers, string? nextStage = null, params string[] extra)
    {
        var stage = new StageProcess(layers, nextStage, extra);
        await stage.LaunchAsync(port: 0);
        return stage;
    }

    /// <summary>Kills the process at once, as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Starts a fresh process for the same layers on the same port.</summary>
    public async Task RestartAsync()
    {
        Kill();
        _process?.Dispose();
        // The port may linger briefly after a kill; retry for a few seconds.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await LaunchAsync(Port);
                return;
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                await Task.Delay(300);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task LaunchAsync(int port)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostPath());
        foreach (string arg in Arguments(port))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the stage host");
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.Contains(ListeningMarker, StringComparison.Ordinal))
            {
                listening.TrySetResult(line[(line.IndexOf(ListeningMarker, StringComparison.Ordinal) + ListeningMarker.Length)..].Trim());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_log)
            {
                _log.AppendLine(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"stage {_layers} exited with {process.ExitCode}:\n{Log()}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            Address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Kill();
            throw new InvalidOperationException($"stage {_layers} did not start within 60 s:\n{Log()}");
        }

        Port = new Uri(Address).Port;
    }

    private IEnumerable<string> Arguments(int port)
    {
        var args = new List<string>
        {
            "--model", TestPaths.Checkpoint, "--layers", _layers, "--worker-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--dtype", "float32", "--threads", "1",
        };
        if (_next is not null)
        {
            args.AddRange(new[] { "--next-stage", _next });
        }

        args.AddRange(_extra);
        return args;
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>The dotnet host running these tests (set by the CLI for its children), else the one on PATH.</summary>
    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    /// <summary>The test host built beside this test project, same configuration and framework.</summary>
    private static string HostPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name;
        string configuration = output.Parent!.Name;
        string path = Path.Combine(TestPaths.RepositoryRoot, "tests", "Qwen2VL.Worker.TestHost", "bin", configuration, framework, "Qwen2VL.Worker.TestHost.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build tests/Qwen2VL.Worker.TestHost first; {path} is missing", path);
    }
}
