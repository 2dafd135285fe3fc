using System.CommandLine;
using Microsoft.Extensions.Logging;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// <c>download --model &lt;id or folder&gt; [--revision R] [--layers a:b]</c>: fetches a checkpoint into the hub
/// cache and prints its local folder.
/// </summary>
public static class DownloadCommand
{
    /// <summary>Builds the command; it reads hub settings from the environment (HF_ENDPOINT, HF_TOKEN, ...).</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A hub model id (owner/name) or a local folder", Required = true };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit sha", DefaultValueFactory = _ => HubRevisions.Default };
        var layers = new Option<string?>("--layers") { Description = "Only the shards a stage holding decoder layers start:end (end exclusive) needs" };
        var command = new Command("download", "Download a model from the Hugging Face hub into the local cache") { model, revision, layers };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Logs go to standard error: standard output carries only the folder, for scripts.
            using var loggers = LoggerFactory.Create(builder => builder
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddSimpleConsole(console => console.SingleLine = true));
            var resolver = new ModelResolver(HubSettings.FromEnvironment(), loggers.CreateLogger<ModelResolver>());
            var options = new ModelDownloadOptions
            {
                Revision = parse.GetValue(revision)!,
                Layers = parse.GetValue(layers) is { } range ? LayerRange.Parse(range) : null,
            };
            try
            {
                Console.WriteLine(await resolver.ResolveAsync(parse.GetValue(model)!, options, cancellationToken).ConfigureAwait(false));
                return 0;
            }
            catch (Exception e) when (e is HubException or ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync($"download failed: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
