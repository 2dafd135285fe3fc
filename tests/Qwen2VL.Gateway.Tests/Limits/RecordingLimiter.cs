using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Limits;

namespace Qwen2VL.Gateway.Tests.Limits;

/// <summary>A limiter that admits or refuses as told and records what was admitted and released.</summary>
public sealed class RecordingLimiter : ITenantLimiter
{
    public ChatBackendException? Refusal { get; set; }

    public int? MaxContextTokens { get; set; }

    public List<(string Tenant, RequestCost Cost)> Admitted { get; } = new();

    public List<RequestUsage?> Released { get; } = new();

    public ValueTask<TenantPermit> AdmitAsync(string tenantId, RequestCost cost, CancellationToken cancellationToken)
    {
        if (Refusal is not null)
        {
            throw Refusal;
        }

        lock (Admitted)
        {
            Admitted.Add((tenantId, cost));
        }

        return ValueTask.FromResult<TenantPermit>(new Permit(this));
    }

    private sealed class Permit(RecordingLimiter owner) : TenantPermit
    {
        public override int? MaxContextTokens => owner.MaxContextTokens;

        protected override ValueTask ReleaseCoreAsync(RequestUsage? usage)
        {
            lock (owner.Released)
            {
                owner.Released.Add(usage);
            }

            return ValueTask.CompletedTask;
        }
    }
}
