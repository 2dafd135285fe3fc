using System.CommandLine;
using Qwen2VL.Server.Hub;

var root = new RootCommand("Qwen2-VL serving cluster") { DownloadCommand.Create() };
return await root.Parse(args).InvokeAsync();
