using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Grains.Tenants;

/// <summary>An API key hash's binding. Stored as JSON under this type's name: keep the name.</summary>
[GenerateSerializer]
public sealed class ApiKeyIndexState
{
    /// <summary>The key this hash belongs to; null when unbound.</summary>
    [Id(0)] public ApiKeyIdentity? Identity { get; set; }
}
