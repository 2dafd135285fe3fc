using System.CommandLine;
using Qwen2VL.Cli.Bench;
using Qwen2VL.Cli.Generate;

// Before anything loads LibTorch: its OpenMP threads must not spin against the decode kernels' threads.
Qwen2VL.Model.OpenMpWaitPolicy.PreferSleepingThreads();

// A thin root: each command lives in its own class and registers itself here.
var root = new RootCommand("Qwen2-VL command-line tools") { GenerateCommand.Create(), ChatCommand.Create(), BenchCommand.Create() };
return await root.Parse(args).InvokeAsync();
