using Microsoft.Extensions.Logging.Abstractions;
using Qwen2VL.Server.Hub;
using Qwen2VL.Worker.Hosting;

namespace Qwen2VL.Server;

/// <summary>
/// <c>stage</c>: serves decoder layers [a, b) of a checkpoint to the previous pipeline stage (see
/// src/Qwen2VL.Worker/README.md). A hub id given as <c>--model</c> is resolved to its snapshot folder first (from the
/// cache when HF_HUB_OFFLINE is set).
/// </summary>
public static class StageCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        string[] stageArgs = (string[])args.Clone();
        int model = Array.FindIndex(stageArgs, a => a == "--model" || a.StartsWith("--model=", StringComparison.Ordinal));
        if (model >= 0)
        {
            bool inline = stageArgs[model].Contains('=', StringComparison.Ordinal);
            if (!inline && model + 1 >= stageArgs.Length)
            {
                await Console.Error.WriteLineAsync("stage: --model needs a value").ConfigureAwait(false);
                return 2;
            }

            string value = inline ? stageArgs[model]["--model=".Length..] : stageArgs[model + 1];
            if (!Directory.Exists(value))
            {
                var resolver = new ModelResolver(HubSettings.FromEnvironment(), NullLogger<ModelResolver>.Instance);
                string folder = await resolver.ResolveAsync(value, new ModelDownloadOptions(), cancellationToken).ConfigureAwait(false);
                stageArgs[inline ? model : model + 1] = inline ? $"--model={folder}" : folder;
            }
        }

        return await StageHost.RunAsync(stageArgs, cancellationToken).ConfigureAwait(false);
    }
}
