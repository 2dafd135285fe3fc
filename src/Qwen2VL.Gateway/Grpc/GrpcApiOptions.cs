namespace Qwen2VL.Gateway.Grpc;

/// <summary>Settings of the public gRPC API. Bound from <c>Qwen2VL:Grpc</c>.</summary>
public sealed class GrpcApiOptions
{
    /// <summary>
    /// Largest request message. Raised from gRPC's 4 MiB default on purpose: images and videos arrive inline as
    /// bytes, and one request may carry several of them.
    /// </summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest response message; a session's history returns its inline images.</summary>
    public int MaxSendMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Sessions per ListSessions page when the caller does not say.</summary>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Larger page sizes are reduced to this.</summary>
    public int MaxPageSize { get; set; } = 500;
}
