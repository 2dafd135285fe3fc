using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Grains.Tenants;

/// <summary>A tenant's persisted state. Stored as JSON under this type's name: keep the name.</summary>
[GenerateSerializer]
public sealed class TenantState
{
    /// <summary>The tenant's limits; null until set, meaning <see cref="TenantLimits.Default"/>.</summary>
    [Id(0)] public TenantLimits? Limits { get; set; }

    /// <summary>Every key ever created, revoked ones included.</summary>
    [Id(1)] public List<ApiKeyRecord> ApiKeys { get; set; } = [];

    /// <summary>Requests admitted, in total.</summary>
    [Id(2)] public long Requests { get; set; }

    /// <summary>Prompt tokens recorded, in total.</summary>
    [Id(3)] public long PromptTokens { get; set; }

    /// <summary>Completion tokens recorded, in total.</summary>
    [Id(4)] public long CompletionTokens { get; set; }

    /// <summary>Cached prompt tokens recorded, in total.</summary>
    [Id(5)] public long CachedPromptTokens { get; set; }
}
