namespace Qwen2VL.Gateway.Limits;

/// <summary>
/// An admitted request's hold on its tenant's limits: a stream slot and its share of the minute. Released exactly
/// once, with the usage when the request completed, or with none when it failed (disposing releases with none).
/// </summary>
public abstract class TenantPermit : IAsyncDisposable
{
    private int _released;

    /// <summary>A permit that limits nothing, for gateways without tenant limits.</summary>
    public static TenantPermit Unlimited => new UnlimitedPermit();

    /// <summary>The most tokens the request's context may hold, or null for the model's own limit.</summary>
    public virtual int? MaxContextTokens => null;

    /// <summary>Frees the slot and records <paramref name="usage"/> (null: nothing to charge, e.g. a replayed result).</summary>
    public ValueTask ReleaseAsync(RequestUsage? usage) =>
        Interlocked.Exchange(ref _released, 1) == 0 ? ReleaseCoreAsync(usage) : ValueTask.CompletedTask;

    /// <summary>Releases without usage unless already released.</summary>
    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync(null).ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Called once, by the first release.</summary>
    protected abstract ValueTask ReleaseCoreAsync(RequestUsage? usage);

    private sealed class UnlimitedPermit : TenantPermit
    {
        protected override ValueTask ReleaseCoreAsync(RequestUsage? usage) => ValueTask.CompletedTask;
    }
}
