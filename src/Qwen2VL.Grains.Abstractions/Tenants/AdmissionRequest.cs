namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>A request the gateway wants to start for a tenant.</summary>
/// <param name="StreamId">Names the stream slot the request takes until released; unique per request.</param>
/// <param name="ImageCount">Images and videos in the request.</param>
/// <param name="EstimatedTokens">Tokens the request is expected to use, counted against the minute until its usage is recorded.</param>
[GenerateSerializer, Immutable]
public sealed record AdmissionRequest(
    [property: Id(0)] string StreamId,
    [property: Id(1)] int ImageCount,
    [property: Id(2)] int EstimatedTokens);
