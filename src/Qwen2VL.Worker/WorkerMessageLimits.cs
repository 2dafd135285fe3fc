namespace Qwen2VL.Worker;

/// <summary>
/// Message size limits of the worker API, raised deliberately on both server and client: gRPC's 4 MiB default is far
/// below one step's tensors. Hidden states are T × H in the model dtype (512 tokens × 8192 × 2 bytes = 8 MiB for the
/// 72B model in bf16); logits are float32 rows × 151,936 (64 sampled rows = 37 MiB).
/// </summary>
public static class WorkerMessageLimits
{
    /// <summary>The default limit: 256 MiB, room for about 440 rows of float32 logits in one step.</summary>
    public const int DefaultMaxMessageBytes = 256 * 1024 * 1024;

    /// <summary>HTTP/2 flow-control windows large enough that one step's message is not throttled by acknowledgements.</summary>
    public const int Http2WindowBytes = 16 * 1024 * 1024;
}
