using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Idempotency;

/// <summary>A completed idempotent request. Stored as JSON under this type's name: keep the name.</summary>
[GenerateSerializer]
public sealed class IdempotentRequestState
{
    /// <summary>The hash of the request the key was used for; null while nothing is stored.</summary>
    [Id(0)] public string? Fingerprint { get; set; }

    /// <summary>The result to replay.</summary>
    [Id(1)] public TurnCompleted? Result { get; set; }

    /// <summary>When the result was stored.</summary>
    [Id(2)] public DateTimeOffset CompletedAt { get; set; }
}
