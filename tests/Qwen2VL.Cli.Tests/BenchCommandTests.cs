using System.CommandLine;
using System.Text.Json;
using Qwen2VL.Cli.Bench;
using Qwen2VL.Model.Text;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Cli.Tests;

/// <summary>Runs the bench command in-process on the tiny fixture config, so a suite takes seconds.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("qwen2vl-bench-test").FullName;

    [Fact]
    public async Task Bench_DecodeSuiteOnTinyConfig_WritesFinitePositiveKeys()
    {
        string json = Path.Combine(_folder, "results.json");

        int exit = await InvokeAsync("--suite", "decode", "--json", json);

        Assert.Equal(0, exit);
        await AssertFinitePositiveAsync(json, "decode_ms_per_token_bf16", "decode_floor_ms_per_token_bf16", "decode_vs_floor");
    }

    [Fact]
    public async Task Bench_PrefillSuiteOnTinyConfig_WritesRatesAndAttentionComparisonThenRestoresTheDefault()
    {
        string json = Path.Combine(_folder, "results.json");

        int exit = await InvokeAsync("--suite", "prefill", "--json", json);

        Assert.Equal(0, exit);
        await AssertFinitePositiveAsync(json, "prefill_text_tokens_per_s", "prefill_vs_matmul_floor", "prefill_sdpa_attention_vs_blocked");
        Assert.True(PromptAttention.Enabled, "the comparison left the blocked prompt attention switched off");
    }

    [Fact]
    public async Task Bench_SessionSuiteOnTinyConfig_WritesSessionStatelessAndNoReuseRatios()
    {
        string json = Path.Combine(_folder, "results.json");

        int exit = await InvokeAsync("--suite", "session", "--json", json);

        Assert.Equal(0, exit);
        await AssertFinitePositiveAsync(json, "session_ttft_ratio_turn10", "stateless_ttft_ratio_turn10", "stateless_noreuse_ttft_ratio_turn10");
    }

    [Fact]
    public async Task Bench_AttentionSuiteOnTinyConfig_WritesBothSizesWithoutACheckpoint()
    {
        string json = Path.Combine(_folder, "results.json");

        int exit = await InvokeAsync("--suite", "attention", "--json", json);

        Assert.Equal(0, exit);
        Assert.Empty(Directory.GetFiles(_folder, "model.safetensors", SearchOption.AllDirectories));
        await AssertFinitePositiveAsync(json, [.. new[] { "448", "1080p" }.SelectMany(size =>
            new[] { $"vision_attention_{size}_sdpa_vs_blocked", $"vision_attention_{size}_blocked_vs_gemm_rate" })]);
    }

    [Fact]
    public async Task Bench_LinearSuiteOnTinyConfig_WritesEveryRowCountWithoutACheckpoint()
    {
        string json = Path.Combine(_folder, "results.json");

        int exit = await InvokeAsync("--suite", "linear", "--json", json);

        Assert.Equal(0, exit);
        Assert.Empty(Directory.GetFiles(_folder, "model.safetensors", SearchOption.AllDirectories));
        await AssertFinitePositiveAsync(json, [.. new[] { 1, 2, 4, 8, 16, 32 }.SelectMany(rows =>
            new[] { $"linear_rows_{rows}_libtorch_vs_kernel", $"linear_rows_{rows}_kernel_vs_read_floor" })]);
    }

    [Fact]
    public async Task Bench_BatchSuiteOnTinyConfig_WritesSpeedupsAndAttentionComparisonThenRestoresTheDefault()
    {
        string json = Path.Combine(_folder, "results.json");

        int exit = await InvokeAsync("--suite", "batch", "--json", json);

        Assert.Equal(0, exit);
        await AssertFinitePositiveAsync(json, "batch_speedup_4", "batch_speedup_8", "batch_speedup_16", "batch_libtorch_attention_vs_native_8");

        Assert.True(NativeDecodeAttention.Enabled, "the comparison left the native decode attention switched off");
    }

    [Fact]
    public async Task Bench_SecondRun_ReusesTheCachedCheckpoint()
    {
        await InvokeAsync("--suite", "prefill");
        var weights = Directory.GetFiles(_folder, "model.safetensors", SearchOption.AllDirectories).Single();
        var written = File.GetLastWriteTimeUtc(weights);

        await InvokeAsync("--suite", "prefill");

        Assert.Equal(written, File.GetLastWriteTimeUtc(weights));
    }

    [Fact]
    public async Task Bench_ClusterSuitesWithoutAServableCheckpoint_LeaveTheirKeysOut()
    {
        string json = Path.Combine(_folder, "results.json");
        string notACheckpoint = Directory.CreateDirectory(Path.Combine(_folder, "weights-only")).FullName;

        int exit = await InvokeAsync("--suite", "cluster,pipeline", "--model", notACheckpoint, "--json", json);

        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Empty(document.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task Bench_UnknownSuite_FailsWithUsageExitCode()
    {
        Assert.Equal(2, await InvokeAsync("--suite", "nonsense"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<int> InvokeAsync(params string[] args)
    {
        var root = new RootCommand { BenchCommand.Create() };
        string config = Path.Combine(TestPaths.Checkpoint, "config.json");
        string[] all = ["bench", "--config", config, "--checkpoint-cache", _folder, .. args];
        return root.Parse(all).InvokeAsync();
    }

    /// <summary>Asserts that the JSON report holds every one of <paramref name="keys"/> as a finite positive number.</summary>
    private static async Task AssertFinitePositiveAsync(string json, params string[] keys)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        foreach (string key in keys)
        {
            Assert.True(document.RootElement.TryGetProperty(key, out var value), $"missing {key}");
            double number = value.GetDouble();
            Assert.True(double.IsFinite(number) && number > 0, $"{key} = {number}");
        }
    }
}
