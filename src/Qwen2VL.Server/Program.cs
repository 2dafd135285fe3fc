using System.CommandLine;
using Qwen2VL.Server;
using Qwen2VL.Server.Hub;

// Before anything loads LibTorch: its OpenMP threads must not spin against the decode kernels' threads.
Qwen2VL.Model.OpenMpWaitPolicy.PreferSleepingThreads();

// "stage" takes the stage host's own options, so it is dispatched before the serve command's parser.
if (args.Length > 0 && args[0] == "stage")
{
    return await StageCommand.RunAsync(args[1..]);
}

var root = ServeCommand.Create(args);
root.Subcommands.Add(DownloadCommand.Create());
return await root.Parse(args).InvokeAsync();
