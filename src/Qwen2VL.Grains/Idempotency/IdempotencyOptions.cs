namespace Qwen2VL.Grains.Idempotency;

/// <summary>How long idempotent requests are remembered.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>How long a completed result is replayed for; after that the key is free again.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a claim stays valid without completing. A gateway that dies mid-request never abandons its claim;
    /// after this the key may be claimed again.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
