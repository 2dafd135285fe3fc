using System.CommandLine;
using System.Text.Json;
using Qwen2VL.Cli.Bench;

namespace Qwen2VL.Cli.Tests.Load;

/// <summary>
/// <c>bench load</c> for a few seconds against the real server process on the tiny checkpoint, through both APIs: every
/// request sent is accounted for, percentiles are ordered, the memory figures are the server's RSS, and refused requests
/// are counted by class instead of ending the run.
/// </summary>
public sealed class LoadCommandTests : IClassFixture<LoadTestServer>, IDisposable
{
    private readonly LoadTestServer _server;
    private readonly string _folder = Directory.CreateTempSubdirectory("qwen2vl-load-test").FullName;

    public LoadCommandTests(LoadTestServer server) => _server = server;

    [Fact]
    public async Task Load_OpenAiWithImages_AccountsForEveryRequestAndOrdersPercentiles()
    {
        var (exit, report) = await RunAsync("3s", "--api", "openai", "--api-key", LoadTestServer.ApiKey, "--image-ratio", "0.5");
        long serverRss = ResidentBytes(_server.ProcessId);

        Assert.Equal(0, exit);
        var root = report.RootElement;
        int ok = root.GetProperty("requests_ok").GetInt32();
        Assert.True(ok >= 2, $"only {ok} requests completed");
        Assert.Equal(0, root.GetProperty("requests_failed").GetInt32());
        Assert.Equal(root.GetProperty("requests_started").GetInt32(), ok + root.GetProperty("requests_unfinished").GetInt32());
        Assert.True(root.GetProperty("requests_with_image").GetInt32() > 0, "no request carried an image");
        long tokens = root.GetProperty("output_tokens").GetInt64();
        Assert.InRange(tokens, ok, ok * 8L);
        AssertOrdered(root.GetProperty("ttft_ms"));
        AssertOrdered(root.GetProperty("itl_ms"));
        AssertOrdered(root.GetProperty("e2e_ms"));
        // Completed streams cannot be faster than their first token.
        Assert.True(root.GetProperty("e2e_ms").GetProperty("p99").GetDouble() >= root.GetProperty("ttft_ms").GetProperty("p50").GetDouble());
        var memory = root.GetProperty("server_rss_bytes");
        long end = memory.GetProperty("end").GetInt64();
        Assert.True(memory.GetProperty("peak").GetInt64() >= Math.Max(end, memory.GetProperty("start").GetInt64()));
        Assert.True(memory.GetProperty("samples").GetInt32() >= 3);
        // The figure is the server process's own resident set, as the kernel reports it.
        Assert.InRange(end, serverRss / 2, serverRss * 2);
    }

    [Fact]
    public async Task Load_GrpcSessionTurns_AccountsForEveryRequest()
    {
        var (exit, report) = await RunAsync("3s", "--api", "grpc", "--grpc-server", _server.GrpcAddress.ToString(), "--api-key", LoadTestServer.ApiKey, "--session-turns", "2", "--image-ratio", "0.3");

        Assert.Equal(0, exit);
        var root = report.RootElement;
        int ok = root.GetProperty("requests_ok").GetInt32();
        Assert.True(ok >= 2, $"only {ok} requests completed");
        Assert.Equal(0, root.GetProperty("requests_failed").GetInt32());
        Assert.Equal(root.GetProperty("requests_started").GetInt32(), root.GetProperty("requests_session_turns").GetInt32());
        Assert.Equal(root.GetProperty("requests_started").GetInt32(), ok + root.GetProperty("requests_unfinished").GetInt32());
        AssertOrdered(root.GetProperty("ttft_ms"));
        AssertOrdered(root.GetProperty("itl_ms"));
    }

    [Theory]
    [InlineData("openai", "http 401 invalid_api_key")]
    [InlineData("grpc", "grpc Unauthenticated")]
    public async Task Load_WrongApiKey_CountsUnauthorizedErrorsAndExits1(string api, string expectedError)
    {
        var (exit, report) = await RunAsync("1s", "--api", api, "--grpc-server", _server.GrpcAddress.ToString(), "--api-key", "sk-wrong");

        Assert.Equal(1, exit);
        var root = report.RootElement;
        int failed = root.GetProperty("requests_failed").GetInt32();
        Assert.True(failed > 0);
        Assert.Equal(root.GetProperty("requests_started").GetInt32(), failed);
        var errors = root.GetProperty("errors").EnumerateObject().ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith(expectedError, error.Name, StringComparison.Ordinal);
        Assert.Equal(failed, error.Value.GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ttft_ms").ValueKind);
    }

    [Theory]
    [InlineData("--concurrency", "0")]
    [InlineData("--duration", "soon")]
    [InlineData("--image-ratio", "1.5")]
    [InlineData("--api", "soap")]
    public async Task Load_BadOption_IsUsageErrorWithoutSending(string option, string value)
    {
        string json = Path.Combine(_folder, "bad.json");

        int exit = await new RootCommand { BenchCommand.Create() }.Parse(["bench", "load", "--server", _server.HttpAddress.ToString(), option, value, "--json", json]).InvokeAsync();

        Assert.Equal(2, exit);
        Assert.False(File.Exists(json));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int Exit, JsonDocument Report)> RunAsync(string duration, params string[] args)
    {
        string json = Path.Combine(_folder, $"{Guid.NewGuid():n}.json");
        string[] all = ["bench", "load", "--server", _server.HttpAddress.ToString(), "--concurrency", "2", "--duration", duration, "--max-tokens", "8", "--sample-interval", "1s", "--json", json, .. args];
        int exit = await new RootCommand { BenchCommand.Create() }.Parse(all).InvokeAsync();
        return (exit, JsonDocument.Parse(await File.ReadAllTextAsync(json)));
    }

    private static void AssertOrdered(JsonElement percentiles)
    {
        double p50 = percentiles.GetProperty("p50").GetDouble(), p90 = percentiles.GetProperty("p90").GetDouble(), p99 = percentiles.GetProperty("p99").GetDouble();
        Assert.True(p50 > 0 && p50 <= p90 && p90 <= p99, $"p50 {p50}, p90 {p90}, p99 {p99}");
    }

    private static long ResidentBytes(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
