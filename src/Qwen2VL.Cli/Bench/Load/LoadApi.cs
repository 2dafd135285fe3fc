namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Which public API the load generator drives.</summary>
internal enum LoadApi
{
    /// <summary>The OpenAI-compatible HTTP API, streamed as server-sent events.</summary>
    OpenAi,

    /// <summary>The public gRPC API (<c>qwen2vl.v1.ChatService</c>), streamed.</summary>
    Grpc,
}
