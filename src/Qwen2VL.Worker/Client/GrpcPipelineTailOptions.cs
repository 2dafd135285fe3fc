namespace Qwen2VL.Worker.Client;

/// <summary>Timeouts of a <see cref="GrpcPipelineTail"/>.</summary>
public sealed record GrpcPipelineTailOptions
{
    /// <summary>
    /// How long one step may take on every later stage together before the driver gives up on them (a hung stage
    /// must not hang the driver). Generous: a long prefill chunk of a large model takes seconds.
    /// </summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long connecting to the next stage (its GetInfo) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
