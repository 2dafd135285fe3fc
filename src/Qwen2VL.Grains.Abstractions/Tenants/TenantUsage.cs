namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>A tenant's usage: totals since it was created, and the current minute.</summary>
/// <param name="Requests">Requests admitted, in total.</param>
/// <param name="PromptTokens">Prompt tokens recorded, in total.</param>
/// <param name="CompletionTokens">Completion tokens recorded, in total.</param>
/// <param name="CachedPromptTokens">Prompt tokens served from a cache, in total.</param>
/// <param name="RequestsLastMinute">Requests admitted in the last 60 seconds.</param>
/// <param name="TokensLastMinute">Tokens counted against the per-minute limit in the last 60 seconds.</param>
/// <param name="OpenStreams">Requests admitted and not yet released.</param>
[GenerateSerializer, Immutable]
public sealed record TenantUsage(
    [property: Id(0)] long Requests,
    [property: Id(1)] long PromptTokens,
    [property: Id(2)] long CompletionTokens,
    [property: Id(3)] long CachedPromptTokens,
    [property: Id(4)] int RequestsLastMinute,
    [property: Id(5)] long TokensLastMinute,
    [property: Id(6)] int OpenStreams);
