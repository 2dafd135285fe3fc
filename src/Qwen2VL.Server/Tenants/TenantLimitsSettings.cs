using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Server.Tenants;

/// <summary>
/// Limits as configured: <c>Qwen2VL:TenantDefaults</c> for every tenant, <c>Qwen2VL:Tenants:&lt;id&gt;</c> for one.
/// Each unset limit keeps the value beneath it (a tenant's over the defaults, the defaults over the built-in ones).
/// </summary>
public sealed class TenantLimitsSettings
{
    public int? RequestsPerMinute { get; set; }

    public int? TokensPerMinute { get; set; }

    public int? ConcurrentStreams { get; set; }

    public int? MaxImagesPerRequest { get; set; }

    public int? MaxContextTokens { get; set; }

    /// <summary><paramref name="baseline"/> with every limit set here replaced.</summary>
    /// <exception cref="ArgumentException">A limit is not positive.</exception>
    public TenantLimits ApplyTo(TenantLimits baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var limits = new TenantLimits(
            RequestsPerMinute ?? baseline.RequestsPerMinute,
            TokensPerMinute ?? baseline.TokensPerMinute,
            ConcurrentStreams ?? baseline.ConcurrentStreams,
            MaxImagesPerRequest ?? baseline.MaxImagesPerRequest,
            MaxContextTokens ?? baseline.MaxContextTokens);
        limits.Validate();
        return limits;
    }
}
