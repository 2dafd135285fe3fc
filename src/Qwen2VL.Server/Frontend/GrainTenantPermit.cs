using Microsoft.Extensions.Logging;
using Qwen2VL.Gateway.Limits;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Server.Frontend;

/// <summary>An admitted request's stream slot in its tenant grain; releasing records the usage.</summary>
internal sealed partial class GrainTenantPermit : TenantPermit
{
    private readonly ITenantGrain _tenant;
    private readonly string _streamId;
    private readonly int? _maxContextTokens;
    private readonly ILogger _logger;

    public GrainTenantPermit(ITenantGrain tenant, string streamId, int? maxContextTokens, ILogger logger)
    {
        _tenant = tenant;
        _streamId = streamId;
        _maxContextTokens = maxContextTokens;
        _logger = logger;
    }

    public override int? MaxContextTokens => _maxContextTokens;

    protected override async ValueTask ReleaseCoreAsync(RequestUsage? usage)
    {
        var turn = usage is null ? null : new TurnUsage(usage.PromptTokens, usage.CompletionTokens, usage.CachedPromptTokens);
        try
        {
            await _tenant.ReleaseAsync(_streamId, turn).WaitAsync(GrainTenantLimiter.CallTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The answer is already out: losing its usage record must not turn it into an error. The tenant grain
            // frees a slot that is never released after its leak timeout.
            LogReleaseFailed(_logger, e, _streamId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not release tenant stream {StreamId}; its usage is not recorded")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string streamId);
}
