namespace Qwen2VL.Worker.Client;

/// <summary>Timeouts of a <see cref="GrpcPipelineTail"/>.</summary>
public sealed record GrpcPipelineTailOptions
{
    /// <summary>
    /// How long one step may take on every later stage together before the driver gives up on them (a hung stage
    /// must not hang the driver). Generous: a long prefill chunk of a large model takes seconds.
    /// </summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long opening a stream may wait for the next stage to be reachable. While a stage is down, each step that
    /// needs it fails after this long.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
