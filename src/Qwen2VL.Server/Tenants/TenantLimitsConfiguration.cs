using Microsoft.Extensions.Configuration;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Tenants;
using Qwen2VL.Server.Hosting;

namespace Qwen2VL.Server.Tenants;

/// <summary>Reads the configured default and per-tenant limits.</summary>
public static class TenantLimitsConfiguration
{
    public const string DefaultsSection = ServerOptions.Section + ":TenantDefaults";
    public const string TenantsSection = ServerOptions.Section + ":Tenants";

    /// <summary>The built-in defaults with <c>Qwen2VL:TenantDefaults</c> applied.</summary>
    public static TenantLimits Defaults(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(DefaultsSection).Get<TenantLimitsSettings>() ?? new TenantLimitsSettings();
        return settings.ApplyTo(TenantLimits.Default);
    }

    /// <summary>Each tenant under <c>Qwen2VL:Tenants</c> with its limits over <paramref name="defaults"/>.</summary>
    /// <exception cref="InvalidOperationException">A tenant id or a limit is invalid.</exception>
    public static IReadOnlyDictionary<string, TenantLimits> PerTenant(IConfiguration configuration, TenantLimits defaults)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var tenants = new Dictionary<string, TenantLimits>(StringComparer.Ordinal);
        foreach (var section in configuration.GetSection(TenantsSection).GetChildren())
        {
            if (!SessionKey.IsValidId(section.Key))
            {
                throw new InvalidOperationException($"{TenantsSection}:{section.Key}: a tenant id is 1 to 128 letters, digits, '-', '_' or '.'");
            }

            try
            {
                tenants[section.Key] = (section.Get<TenantLimitsSettings>() ?? new TenantLimitsSettings()).ApplyTo(defaults);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"{TenantsSection}:{section.Key}: {e.Message}", e);
            }
        }

        return tenants;
    }
}
