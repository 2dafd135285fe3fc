using System.Net;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Worker.Hosting;

/// <summary>What a stage process loads and how it serves it.</summary>
public sealed record StageHostOptions
{
    /// <summary>Checkpoint folder (config.json and safetensors in Hugging Face layout).</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>The decoder layers this stage holds; it must not start at 0 (the driver holds the first stage).</summary>
    public required LayerRange Layers { get; init; }

    /// <summary>Port of the HTTP/2 endpoint; 0 picks a free one (printed on start).</summary>
    public int Port { get; init; }

    /// <summary>Address to listen on.</summary>
    public IPAddress Bind { get; init; } = IPAddress.Any;

    /// <summary>The next stage (http://host:port); required unless this stage ends the model.</summary>
    public string? NextStage { get; init; }

    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>"bfloat16" or "float32"; every stage of a pipeline must use the same.</summary>
    public string DType { get; init; } = "bfloat16";

    /// <summary>LibTorch intra-op threads; 0 keeps LibTorch's default.</summary>
    public int Threads { get; init; }

    /// <summary>KV capacity of this stage in tokens, over all sequences.</summary>
    public int KvCacheTokens { get; init; } = 32768;

    /// <summary>Longest sequence; 0 uses the model's.</summary>
    public int MaxContextTokens { get; init; }

    /// <summary>Largest gRPC message in or out.</summary>
    public int MaxMessageBytes { get; init; } = WorkerMessageLimits.DefaultMaxMessageBytes;

    /// <summary>How long one step may take on the stages after this one.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
