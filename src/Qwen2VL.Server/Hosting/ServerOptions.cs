using Qwen2VL.Engine;

namespace Qwen2VL.Server.Hosting;

/// <summary>The server's settings: section <c>Qwen2VL</c> of appsettings.json, <c>Qwen2VL__*</c> environment variables, and the command line (highest).</summary>
public sealed class ServerOptions
{
    public const string Section = "Qwen2VL";

    /// <summary>all, gateway, silo, worker, or a comma-separated combination.</summary>
    public string Role { get; set; } = "all";

    /// <summary>A local checkpoint folder or a Hugging Face hub id.</summary>
    public string? Model { get; set; }

    public string Revision { get; set; } = "main";

    /// <summary>The model name clients use; defaults to the hub id or the folder name.</summary>
    public string? ServedModelName { get; set; }

    public string Host { get; set; } = "127.0.0.1";

    /// <summary>HTTP/1.1 port for REST, server-sent events, health and metrics.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>HTTP/2 port for gRPC (a plaintext endpoint cannot serve both on one port).</summary>
    public int GrpcPort { get; set; } = 8081;

    /// <summary>HTTP/2 port of the internal worker gRPC API (Generate, ReleaseCache) of a worker in its own process.</summary>
    public int WorkerPort { get; set; } = 8082;

    /// <summary>
    /// The worker address registered with the cluster, <c>host:port</c> or a URL; by default
    /// <c>http://&lt;host&gt;:&lt;worker-port&gt;</c> for a worker without a silo, in-process for one with.
    /// </summary>
    public string? Advertise { get; set; }

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Redis connection string for clustering and grain state; empty runs the embedded in-memory control plane.</summary>
    public string? Redis { get; set; }

    public string ClusterId { get; set; } = "qwen2vl";

    public string ServiceId { get; set; } = "qwen2vl";

    /// <summary>API keys as <c>tenant:key</c>.</summary>
    public List<string> ApiKeys { get; set; } = new();

    /// <summary>A file with one <c>tenant:key</c> per line.</summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>
    /// Accept requests without a key (as tenant <c>local</c>). Allowed only when the server listens on loopback;
    /// it is the default there when no key is configured.
    /// </summary>
    public bool? AllowAnonymous { get; set; }

    /// <summary>float32 or bfloat16.</summary>
    public string Dtype { get; set; } = "bfloat16";

    public string Device { get; set; } = "cpu";

    /// <summary>LibTorch threads; 0 keeps its default (one per core).</summary>
    public int Threads { get; set; }

    /// <summary>
    /// Run the model as this many pipeline stages: stage 0 in this process (it drives the engine), the others as child
    /// processes (<c>stage</c> command) chained over loopback gRPC. 1 keeps the whole model in this process.
    /// </summary>
    public int PipelineStages { get; set; } = 1;

    /// <summary>
    /// For a worker that drives a pipeline spread over several pods or hosts: the layers it holds, <c>0:b</c> (it is
    /// always the first stage), and <see cref="NextStage"/>, the address of the stage serving layers [b, …) (started
    /// with the <c>stage</c> command). Empty means the whole model.
    /// </summary>
    public string? Layers { get; set; }

    /// <summary>Address of the next pipeline stage, host:port or URL; see <see cref="Layers"/>.</summary>
    public string? NextStage { get; set; }

    public EngineOptions Engine { get; set; } = new();

    /// <summary>HTTPS and gRPC over TLS on both public ports; off by default.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Grain call timeouts, dead-silo detection and the gateway's retries after a silo died.</summary>
    public ControlPlaneOptions ControlPlane { get; set; } = new();
}
