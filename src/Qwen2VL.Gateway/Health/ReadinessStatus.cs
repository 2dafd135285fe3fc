namespace Qwen2VL.Gateway.Health;

/// <summary>A snapshot of <see cref="ReadinessState"/>.</summary>
/// <param name="Reason">Why the server is not ready, or "ready".</param>
public readonly record struct ReadinessStatus(bool IsReady, bool ModelLoaded, int CompletePipelines, string Reason);
