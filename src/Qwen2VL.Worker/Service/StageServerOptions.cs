using Qwen2VL.Worker.Client;

namespace Qwen2VL.Worker.Service;

/// <summary>Identity, message limits and next-stage timeouts of a stage server.</summary>
public sealed record StageServerOptions
{
    /// <summary>Reported by GetInfo.</summary>
    public string WorkerId { get; init; } = Environment.MachineName;

    /// <summary>Reported by GetInfo.</summary>
    public string ModelId { get; init; } = "";

    /// <summary>Largest message sent or received; see <see cref="WorkerMessageLimits"/>.</summary>
    public int MaxMessageBytes { get; init; } = WorkerMessageLimits.DefaultMaxMessageBytes;

    /// <summary>Timeouts towards the next stage.</summary>
    public GrpcPipelineTailOptions Tail { get; init; } = new();
}
