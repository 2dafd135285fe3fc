using System.Diagnostics;
using System.Text.Json;
using Qwen2VL.Cli.Bench.Suites;
using Qwen2VL.Model;

namespace Qwen2VL.Cli.Bench;

/// <summary>
/// Runs the selected suites in a fixed order (memory first, before any benchmark buffer can inflate the peak), prints
/// the table and writes the JSON object of numbers.
/// </summary>
internal static class BenchRunner
{
    /// <summary>Every suite, in run order.</summary>
    public static IReadOnlyList<IBenchSuite> AllSuites { get; } =
    [
        new MemorySuite(),
        new PreprocessSuite(),
        new DecodeSuite(),
        new LinearSuite(),
        new PrefillSuite(),
        new BatchSuite(),
        new SessionSuite(),
        new VisionSuite(),
        new ClusterSuite(),
        new PipelineSuite(),
        new AttentionSuite(),
    ];

    public static async Task<BenchResults> RunAsync(BenchSettings settings, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        TorchRuntime.SetThreads(settings.Threads);
        var results = new BenchResults();
        using var context = new BenchContext(settings, log);
        foreach (var suite in AllSuites.Where(s => settings.Suites.Contains(s.Name)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            context.Log($"suite {suite.Name}");
            var clock = Stopwatch.StartNew();
            await suite.RunAsync(context, results, cancellationToken).ConfigureAwait(false);
            context.Log($"suite {suite.Name} done in {clock.Elapsed.TotalSeconds:F1} s");
        }

        results.Note($"machine: {Environment.ProcessorCount} logical cores, LibTorch threads {TorchSharp.torch.get_num_threads()}, load average {LoadAverage()}");
        await output.WriteAsync(ResultTable.Format(results)).ConfigureAwait(false);
        if (settings.JsonPath is { } path)
        {
            await WriteJsonAsync(path, results, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    private static async Task WriteJsonAsync(string path, BenchResults results, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        await using var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        foreach (var (key, value) in results.Values)
        {
            writer.WriteNumber(key, value);
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // Other work on a shared machine skews every timing; the load average says how much there was.
    private static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? string.Join(" ", File.ReadAllText(path).Split(' ').Take(3)) : "unknown";
    }
}
