namespace Qwen2VL.Server.Remote;

/// <summary>How the silo calls remote workers.</summary>
public sealed class GrpcGenerationBackendOptions
{
    /// <summary>
    /// Send the bytes of the conversation's media with each request. Needed when this process's media store is its
    /// own memory; with a shared store (Redis) workers read the bytes themselves and requests stay small.
    /// </summary>
    public bool SendMediaBytes { get; init; }

    /// <summary>How long a ReleaseCache call may take.</summary>
    public TimeSpan ReleaseTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
