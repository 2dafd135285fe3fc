using System.CommandLine;
using Qwen2VL.Server;
using Qwen2VL.Server.Hub;

var root = ServeCommand.Create(args);
root.Subcommands.Add(DownloadCommand.Create());
return await root.Parse(args).InvokeAsync();
