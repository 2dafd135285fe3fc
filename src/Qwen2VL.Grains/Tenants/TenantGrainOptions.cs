using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Grains.Tenants;

/// <summary>Settings every tenant grain of a silo shares.</summary>
public sealed class TenantGrainOptions
{
    /// <summary>The limits of a tenant whose own limits were never set.</summary>
    public TenantLimits DefaultLimits { get; set; } = TenantLimits.Default;
}
