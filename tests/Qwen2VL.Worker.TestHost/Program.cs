using Qwen2VL.Worker.Hosting;

// Usage: Qwen2VL.Worker.TestHost --model <dir> --layers a:b --worker-port N [--next-stage host:port] [options]
return await StageHost.RunAsync(args);
