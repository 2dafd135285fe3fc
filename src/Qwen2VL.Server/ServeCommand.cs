using System.CommandLine;
using Qwen2VL.Server.Hosting;
using Qwen2VL.Worker.Hosting;

namespace Qwen2VL.Server;

/// <summary>
/// The default command: runs the server. Each option maps to a <c>Qwen2VL:*</c> configuration key, so the same setting
/// also works from appsettings.json or a <c>Qwen2VL__*</c> environment variable (the command line wins).
/// </summary>
public static class ServeCommand
{
    private static readonly (string Name, string Key, string Help)[] Settings =
    {
        ("--role", "Role", "all (default) | gateway | silo | worker, or a comma-separated combination"),
        ("--model", "Model", "checkpoint folder or Hugging Face hub id (e.g. Qwen/Qwen2-VL-2B-Instruct)"),
        ("--revision", "Revision", "hub revision: branch, tag or commit (default main)"),
        ("--served-model-name", "ServedModelName", "model name clients use (default: hub id or folder name)"),
        ("--host", "Host", "address to listen on (default 127.0.0.1)"),
        ("--http-port", "HttpPort", "HTTP/1.1 port for the OpenAI API, health and metrics (default 8080)"),
        ("--grpc-port", "GrpcPort", "HTTP/2 port for the gRPC API (default 8081)"),
        ("--worker-port", "WorkerPort", "HTTP/2 port of the internal worker API, for --role worker (default 8082)"),
        ("--advertise", "Advertise", "worker address registered with the cluster, host:port or URL (default http://<host>:<worker-port>)"),
        ("--silo-port", "SiloPort", "Orleans silo port (default 11111)"),
        ("--gateway-port", "GatewayPort", "Orleans gateway port (default 30000)"),
        ("--redis", "Redis", "Redis connection string for clustering and state (default: embedded, in memory)"),
        ("--api-key-file", "ApiKeyFile", "file with one tenant:key per line"),
        ("--tls-cert", "Tls:CertificatePath", "TLS certificate for both ports: PEM (with --tls-key) or PKCS#12 (default: no TLS)"),
        ("--tls-key", "Tls:KeyPath", "PEM private key of --tls-cert"),
        ("--dtype", "Dtype", "float32 | bfloat16 (default bfloat16)"),
        ("--device", "Device", "cpu | cuda | cuda:N (default cpu)"),
        ("--threads", "Threads", "LibTorch threads (default: one per core)"),
        ("--layers", "Layers", "layers 0:b this worker holds when the rest of the pipeline runs elsewhere (with --next-stage)"),
        ("--next-stage", "NextStage", "address of the stage holding the next layers (started with the 'stage' command)"),
        ("--pipeline-stages", "PipelineStages", "run the model as N pipeline stages in child processes over loopback gRPC (default 1)"),
        ("--kv-cache-tokens", "Engine:KvCacheTokens", "KV cache budget in tokens (default 32768)"),
        ("--max-batch-tokens", "Engine:MaxBatchTokens", "tokens computed per scheduler step (default 512)"),
        ("--max-model-len", "Engine:MaxContextTokens", "context length limit (default: the model's)"),
    };

    public static RootCommand Create(string[] args)
    {
        var root = new RootCommand("Qwen2VL.Cluster server. With no options it runs every role in one process (the embedded default).");
        var options = Settings.Select(s => (Option: new Option<string?>(s.Name) { Description = s.Help }, s.Key)).ToList();
        var apiKeys = new Option<string[]>("--api-key") { Description = "API key as tenant:key (repeatable); a bare key belongs to tenant 'default'", AllowMultipleArgumentsPerToken = false };
        var anonymous = new Option<bool?>("--allow-anonymous") { Description = "accept requests without a key (loopback only; default when no key is configured)" };
        foreach (var (option, _) in options)
        {
            root.Options.Add(option);
        }

        root.Options.Add(apiKeys);
        root.Options.Add(anonymous);
        root.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (option, key) in options)
            {
                if (parse.GetValue(option) is { } value)
                {
                    overrides[$"{ServerOptions.Section}:{key}"] = value;
                }
            }

            string[] keys = parse.GetValue(apiKeys) ?? [];
            for (int i = 0; i < keys.Length; i++)
            {
                overrides[$"{ServerOptions.Section}:ApiKeys:{i}"] = keys[i];
            }

            if (parse.GetValue(anonymous) is bool allow)
            {
                overrides[$"{ServerOptions.Section}:AllowAnonymous"] = allow ? "true" : "false";
            }

            if (LaterStage(overrides) is { } stageArgs)
            {
                // A worker holding layers that do not start at 0 is a later pipeline stage: it serves its layers to
                // the previous stage and does not join the cluster (the same as the 'stage' command).
                return await StageCommand.RunAsync(stageArgs, cancellationToken).ConfigureAwait(false);
            }

            await using var app = ServerHost.Build(Array.Empty<string>(), overrides);
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return root;
    }

    /// <summary>The stage host's arguments when the options describe a worker whose layers start after 0; else null.</summary>
    private static string[]? LaterStage(IReadOnlyDictionary<string, string?> settings)
    {
        string Get(string key) => settings.TryGetValue($"{ServerOptions.Section}:{key}", out var value) ? value ?? "" : "";
        string layers = Get("Layers");
        if (!Get("Role").Equals("worker", StringComparison.OrdinalIgnoreCase) || layers.Length == 0 || StageHostCommandLine.ParseLayers(layers).Start == 0)
        {
            return null;
        }

        var args = new List<string> { "--model", Get("Model"), "--layers", layers };
        foreach (var (option, key) in new[] { ("--worker-port", "WorkerPort"), ("--next-stage", "NextStage"), ("--dtype", "Dtype"), ("--device", "Device"), ("--threads", "Threads"), ("--kv-cache-tokens", "Engine:KvCacheTokens") })
        {
            if (Get(key).Length > 0)
            {
                args.Add(option);
                args.Add(Get(key));
            }
        }

        args.Add("--bind");
        args.Add(Get("Host").Length > 0 ? Get("Host") : "127.0.0.1");
        return args.ToArray();
    }
}
