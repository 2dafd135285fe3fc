using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Server.Tenants;

/// <summary>
/// Writes the configured per-tenant limits into the tenant grains at startup, after the silo or cluster client has
/// started. Limits set this way persist; tenants not configured keep theirs (or the defaults).
/// </summary>
public sealed partial class TenantLimitsInitializer : IHostedService
{
    private readonly IGrainFactory _grains;
    private readonly IReadOnlyDictionary<string, TenantLimits> _limits;
    private readonly ILogger<TenantLimitsInitializer> _logger;

    public TenantLimitsInitializer(IGrainFactory grains, IReadOnlyDictionary<string, TenantLimits> limits, ILogger<TenantLimitsInitializer> logger)
    {
        _grains = grains;
        _limits = limits;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (tenantId, limits) in _limits)
        {
            await _grains.GetTenant(tenantId).SetLimitsAsync(limits).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            LogApplied(_logger, tenantId, limits.RequestsPerMinute, limits.TokensPerMinute, limits.ConcurrentStreams, limits.MaxImagesPerRequest, limits.MaxContextTokens);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: limits {Rpm} requests/min, {Tpm} tokens/min, {Streams} streams, {Images} images/request, {Context} context tokens")]
    private static partial void LogApplied(ILogger logger, string tenantId, int rpm, int tpm, int streams, int images, int context);
}
