using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Server;
using Qwen2VL.Server.Hub;
using Qwen2VL.Worker.Hosting;

// "stage": serve decoder layers [a, b) of a checkpoint for a pipeline (see src/Qwen2VL.Worker/README.md). A hub id
// given as --model is resolved to its snapshot folder first (from the cache when HF_HUB_OFFLINE is set).
if (args.Length > 0 && args[0] == "stage")
{
    string[] stageArgs = args[1..];
    int model = Array.FindIndex(stageArgs, a => a == "--model" || a.StartsWith("--model=", StringComparison.Ordinal));
    if (model >= 0)
    {
        bool inline = stageArgs[model].Contains('=', StringComparison.Ordinal);
        string value = inline ? stageArgs[model]["--model=".Length..] : stageArgs[model + 1];
        if (!Directory.Exists(value))
        {
            var resolver = new ModelResolver(HubSettings.FromEnvironment(), NullLogger<ModelResolver>.Instance);
            string folder = await resolver.ResolveAsync(value, new ModelDownloadOptions());
            stageArgs[inline ? model : model + 1] = inline ? $"--model={folder}" : folder;
        }
    }

    return await StageHost.RunAsync(stageArgs);
}

var root = ServeCommand.Create(args);
root.Subcommands.Add(DownloadCommand.Create());
return await root.Parse(args).InvokeAsync();
