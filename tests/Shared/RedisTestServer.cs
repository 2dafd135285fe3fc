using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Qwen2VL.Tests.Shared;

/// <summary>
/// A Redis server for tests: the one named by <c>QWEN2VL_TEST_REDIS</c> (<c>host:port</c>) when set, otherwise a
/// private <c>redis-server</c> process on a free loopback port with its files in a temp folder, stopped on dispose.
/// </summary>
public sealed class RedisTestServer : IDisposable
{
    /// <summary>The variable that names an existing server.</summary>
    public const string EnvironmentVariable = "QWEN2VL_TEST_REDIS";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly string? _directory;
    private Process? _process;

    private RedisTestServer(string endpoint, Process? process, string? directory)
    {
        Endpoint = endpoint;
        _process = process;
        _directory = directory;
    }

    /// <summary>The server's <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Whether this instance started (and will stop) the server.</summary>
    public bool OwnsProcess => _process is not null;

    /// <summary>Uses or starts a server.</summary>
    /// <exception cref="InvalidOperationException">No server is configured and <c>redis-server</c> cannot be started.</exception>
    public static RedisTestServer Start()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new RedisTestServer(configured.Trim(), null, null);
        }

        return StartPrivate();
    }

    /// <summary>Starts a private <c>redis-server</c> even when a shared one is configured, for tests that stop and restart it.</summary>
    /// <exception cref="InvalidOperationException"><c>redis-server</c> cannot be started.</exception>
    public static RedisTestServer StartPrivate()
    {
        string executable = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            $"Redis tests need a Redis server: install redis-server (Debian/Ubuntu: apt-get install redis-server) "
            + $"or set {EnvironmentVariable}=host:port to use a running one.");

        Exception? lastError = null;
        // A free port can be taken by someone else between probing and binding; try a few.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            int port = FreeLoopbackPort();
            string directory = Directory.CreateTempSubdirectory("redis-test-").FullName;
            var process = Launch(executable, port, directory);
            var server = new RedisTestServer($"127.0.0.1:{port}", process, directory);
            try
            {
                server.WaitUntilReady();
                return server;
            }
            catch (InvalidOperationException exception)
            {
                lastError = exception;
                server.Dispose();
            }
        }

        throw new InvalidOperationException($"redis-server did not start after 3 attempts: {lastError?.Message}", lastError);
    }

    /// <summary>
    /// Stops the private server the way an operator would (<c>SHUTDOWN SAVE</c>): its data is written to its folder
    /// first, so <see cref="Restart"/> brings it back with everything it held.
    /// </summary>
    /// <exception cref="InvalidOperationException">This instance did not start the server, or it did not stop within 10 s.</exception>
    public void Stop()
    {
        var process = _process ?? throw new InvalidOperationException("only a private redis-server can be stopped");
        var (host, port) = HostAndPort();
        using (var client = new TcpClient(host, port))
        {
            client.GetStream().Write("SHUTDOWN SAVE\r\n"u8);
        }

        if (!process.WaitForExit(10_000))
        {
            throw new InvalidOperationException($"redis-server on {Endpoint} did not stop within 10 s");
        }
    }

    /// <summary>Starts the stopped private server again on the same port and folder; it loads the data it saved.</summary>
    /// <exception cref="InvalidOperationException">This instance did not start the server, or it does not come back.</exception>
    public void Restart()
    {
        if (_process is null || _directory is null)
        {
            throw new InvalidOperationException("only a private redis-server can be restarted");
        }

        string executable = _process.StartInfo.FileName;
        _process.Dispose();
        _process = Launch(executable, HostAndPort().Port, _directory);
        WaitUntilReady();
    }

    private static Process Launch(string executable, int port, string directory)
    {
        var process = Process.Start(new ProcessStartInfo(executable)
        {
            ArgumentList = { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                             "--save", "", "--appendonly", "no", "--dir", directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"could not start {executable}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private (string Host, int Port) HostAndPort() => (
        Endpoint[..Endpoint.LastIndexOf(':')],
        int.Parse(Endpoint[(Endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Sends PING until the server answers PONG.</summary>
    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        var (host, port) = HostAndPort();
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} before answering on {Endpoint}");
            }

            try
            {
                using var client = new TcpClient(host, port);
                using var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var buffer = new byte[16];
                int read = stream.Read(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"redis-server did not answer PING on {Endpoint} within {StartTimeout.TotalSeconds} s");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Stops the server this instance started and deletes its folder; leaves a configured server alone.</summary>
    public void Dispose()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}
