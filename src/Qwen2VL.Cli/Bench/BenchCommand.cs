using System.CommandLine;
using Qwen2VL.Cli.Bench.Checkpoint;
using Qwen2VL.Cli.Bench.Load;

namespace Qwen2VL.Cli.Bench;

/// <summary>
/// <c>bench [--suite NAME[,NAME…]] [--json FILE]</c>: the performance suite on the Qwen2-VL-2B configuration with random
/// bf16 weights, every result printed beside its goal and reference figures; <c>bench load</c> load-tests a running
/// server instead.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        string names = string.Join(", ", BenchRunner.AllSuites.Select(s => s.Name));
        var suite = new Option<string[]>("--suite")
        {
            Description = $"Suites to run (repeat or comma-separate): {names}, or all",
            DefaultValueFactory = _ => ["all"],
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as a JSON object of numbers to this file" };
        var config = new Option<FileInfo?>("--config") { Description = "A config.json to benchmark instead of Qwen2-VL-2B-Instruct's" };
        var cache = new Option<DirectoryInfo?>("--checkpoint-cache") { Description = "Folder for the generated random checkpoints (default: the temporary folder)" };
        var threads = new Option<int>("--threads") { Description = "LibTorch threads (0: LibTorch's default)" };
        var model = new Option<string?>("--model") { Description = "Checkpoint folder the cluster and pipeline suites serve (default: the repository's tiny test checkpoint)" };
        var command = new Command("bench", "Run the performance suite and print each result beside its goal") { suite, json, config, cache, threads, model };
        command.Subcommands.Add(LoadCommand.Create());
        command.SetAction(async (parse, cancellationToken) =>
        {
            var selected = parse.GetValue(suite)!.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);
            var known = BenchRunner.AllSuites.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            if (selected.Contains("all"))
            {
                selected = known;
            }

            if (selected.FirstOrDefault(s => !known.Contains(s)) is { } unknown)
            {
                await Console.Error.WriteLineAsync($"unknown suite '{unknown}'; expected one of: {names}, all").ConfigureAwait(false);
                return 2;
            }

            string configJson = parse.GetValue(config) is { } file ? await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false) : RandomCheckpoint.Qwen2VL2BConfig();
            var settings = new BenchSettings(selected, parse.GetValue(json)?.FullName, configJson, parse.GetValue(cache)?.FullName, parse.GetValue(threads), parse.GetValue(model));
            await BenchRunner.RunAsync(settings, Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
