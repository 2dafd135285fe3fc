using System.CommandLine;
using Qwen2VL.Server;
using Qwen2VL.Server.Hub;
using Qwen2VL.Worker.Hosting;

// "stage": serve decoder layers [a, b) of a checkpoint for a pipeline (see src/Qwen2VL.Worker/README.md).
if (args.Length > 0 && args[0] == "stage")
{
    return await StageHost.RunAsync(args[1..]);
}

var root = ServeCommand.Create(args);
root.Subcommands.Add(DownloadCommand.Create());
return await root.Parse(args).InvokeAsync();
