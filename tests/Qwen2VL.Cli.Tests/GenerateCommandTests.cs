using System.Diagnostics;
using System.Text.Json;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Cli.Tests;

/// <summary>The built CLI run as a process: <c>generate --model … --json</c> on golden cases.</summary>
public sealed class GenerateCommandTests
{
    public static TheoryData<string> SingleConversationCases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(TestPaths.Cases).Order(StringComparer.Ordinal))
        {
            string file = Path.Combine(dir, "case.json");
            using var json = File.Exists(file) ? JsonDocument.Parse(File.ReadAllText(file)) : null;
            // Video cases feed raw frame lists to the reference processor; the CLI takes video files (tested in Processing).
            if (json is not null && json.RootElement.TryGetProperty("conversations", out var c) && c.GetArrayLength() == 1
                && json.RootElement.GetProperty("videos").GetArrayLength() == 0)
            {
                data.Add(Path.GetFileName(dir));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SingleConversationCases))]
    public async Task Generate_MessagesFileOfGoldenCase_PrintsGoldenTokens(string caseName)
    {
        string dir = Path.Combine(TestPaths.Cases, caseName);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "case.json")));
        var root = json.RootElement;
        var images = new Queue<string>(root.GetProperty("images").EnumerateArray().Select(i => Path.Combine(dir, i.GetProperty("file").GetString()!)));
        var messages = root.GetProperty("conversations")[0].EnumerateArray().Select(m => new
        {
            role = m.GetProperty("role").GetString(),
            content = m.GetProperty("content").ValueKind == JsonValueKind.String
                ? (object)m.GetProperty("content").GetString()!
                : m.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("type").GetString() == "image"
                    ? (object)new { type = "image_url", image_url = new { url = images.Dequeue() } }
                    : new { type = "text", text = p.GetProperty("text").GetString() }).ToList(),
        }).ToList();
        string messagesFile = Path.Combine(Path.GetTempPath(), $"cli-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(messagesFile, JsonSerializer.Serialize(messages));
        var gen = GoldenTensors.ForCase(caseName)["gen_tokens"];
        long[] expected = gen.AsInt64().Take((int)gen.Shape[1]).ToArray();

        try
        {
            var (exit, stdout, stderr) = await RunAsync("generate", "--model", TestPaths.Checkpoint, "--messages", messagesFile,
                "--max-tokens", expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dtype", "float32", "--json");

            Assert.True(exit == 0, stderr);
            using var result = JsonDocument.Parse(stdout);
            Assert.Equal(expected, result.RootElement.GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt64()));
            Assert.Equal(GoldenTensors.ForCase(caseName)["input_ids"].Shape[1], result.RootElement.GetProperty("prompt_tokens").GetInt32());
        }
        finally
        {
            File.Delete(messagesFile);
        }
    }

    [Fact]
    public async Task Generate_MissingImage_FailsWithClearMessage()
    {
        var (exit, _, stderr) = await RunAsync("generate", "--model", TestPaths.Checkpoint, "--prompt", "hi", "--image", "/nonexistent/x.png");

        Assert.Equal(1, exit);
        Assert.Contains("x.png", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_NeitherPromptNorMessages_IsUsageError()
    {
        var (exit, _, stderr) = await RunAsync("generate", "--model", TestPaths.Checkpoint);

        Assert.Equal(2, exit);
        Assert.Contains("--prompt", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Qwen2VL.Cli.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
