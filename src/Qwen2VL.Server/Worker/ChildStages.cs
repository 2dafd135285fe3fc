using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// The later stages of a pipeline run as child processes of this server (the <c>stage</c> command), chained over
/// loopback gRPC from the last stage to the first. Killed with the server.
/// </summary>
public sealed partial class ChildStages : IAsyncDisposable
{
    private readonly List<Process> _processes = new();
    private readonly ILogger _logger;

    private ChildStages(ILogger logger) => _logger = logger;

    /// <summary>The address of the second stage, where the driver sends its hidden states.</summary>
    public string FirstAddress { get; private set; } = "";

    /// <summary>Starts stages for <paramref name="ranges"/> (every range but the driver's) and waits until each listens.</summary>
    public static async Task<ChildStages> StartAsync(string modelFolder, IReadOnlyList<LayerRange> ranges, string dtype, int threads, int kvCacheTokens, ILogger logger, CancellationToken cancellationToken)
    {
        var stages = new ChildStages(logger);
        try
        {
            string? next = null;
            for (int i = ranges.Count - 1; i >= 0; i--)
            {
                int port = FreePort();
                var args = new List<string>
                {
                    "stage", "--model", modelFolder, "--layers", ranges[i].ToArgument(), "--worker-port", $"{port}",
                    "--bind", "127.0.0.1", "--dtype", dtype, "--threads", $"{threads}", "--kv-cache-tokens", $"{kvCacheTokens}",
                };
                if (next is not null)
                {
                    args.AddRange(new[] { "--next-stage", next });
                }

                await stages.StartOneAsync(args, ranges[i], cancellationToken).ConfigureAwait(false);
                next = $"http://127.0.0.1:{port}";
            }

            stages.FirstAddress = next!;
            return stages;
        }
        catch
        {
            await stages.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartOneAsync(List<string> args, LayerRange layers, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under "dotnet Qwen2VL.Server.dll" the process is dotnet itself: pass the entry assembly first.
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this process's executable to start pipeline stages");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a pipeline stage process");
        _processes.Add(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                LogStageOutput(_logger, layers.ToString(), e.Data);
            }
        };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(10));
        while (true)
        {
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (line is null)
            {
                throw new InvalidOperationException($"pipeline stage {layers} exited with code {(process.HasExited ? process.ExitCode : -1)} before listening");
            }

            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                LogStageStarted(_logger, layers.ToString(), process.Id);
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pipeline stage {Layers} started (process {Pid})")]
    private static partial void LogStageStarted(ILogger logger, string layers, int pid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "stage {Layers}: {Line}")]
    private static partial void LogStageOutput(ILogger logger, string layers, string line);
}
