using System.Diagnostics;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Hub;

/// <summary>Runs the built server executable's download command against the fake hub, configured by environment.</summary>
public class DownloadCommandTests
{
    [Fact]
    public async Task Download_HubModel_PrintsSnapshotFolderAndLogsProgress()
    {
        await using var context = await HubTestContext.StartAsync();

        var (exitCode, output, errors) = await RunAsync(context, "download", "--model", HubTestContext.Repo, "--revision", FakeHub.Tag);

        Assert.True(exitCode == 0, errors);
        string folder = Path.Combine(context.RepoFolder, "snapshots", FakeHub.CommitSha);
        Assert.Equal(folder, output.Trim());
        FolderAssert.Equal(TestPaths.Checkpoint, folder);
        Assert.Contains("MB/s", errors, StringComparison.Ordinal);
        Assert.Contains("100.0%", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_UnknownModel_ExitsOneWithTheHubError()
    {
        await using var context = await HubTestContext.StartAsync();

        var (exitCode, output, errors) = await RunAsync(context, "download", "--model", "test-org/missing");

        Assert.Equal(1, exitCode);
        Assert.Empty(output.Trim());
        Assert.Contains("test-org/missing does not exist", errors, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(HubTestContext context, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Qwen2VL.Server.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HF_ENDPOINT"] = context.Hub.Endpoint.ToString();
        start.Environment["HF_HUB_CACHE"] = context.CacheDirectory;
        start.Environment["HF_HOME"] = Path.Combine(context.CacheDirectory, "home");
        start.Environment.Remove("HF_TOKEN");
        start.Environment.Remove("HF_TOKEN_PATH");
        start.Environment.Remove("HF_HUB_OFFLINE");

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
