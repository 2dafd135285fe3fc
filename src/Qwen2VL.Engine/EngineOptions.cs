namespace Qwen2VL.Engine;

/// <summary>Limits of one worker's scheduler. Bound from configuration section <c>Qwen2VL:Engine</c>.</summary>
public sealed class EngineOptions
{
    /// <summary>KV-cache capacity of this worker in tokens, over all sequences and idle session caches.</summary>
    public int KvCacheTokens { get; set; } = 32768;

    /// <summary>Most tokens computed in one step (decode tokens plus prefill chunks).</summary>
    public int MaxBatchTokens { get; set; } = 512;

    /// <summary>Most sequences running at once.</summary>
    public int MaxRunningSequences { get; set; } = 64;

    /// <summary>Most requests waiting for admission; beyond it new requests are refused as overloaded.</summary>
    public int MaxWaitingRequests { get; set; } = 1024;

    /// <summary>KV space is reserved in steps of this many tokens as a sequence grows.</summary>
    public int KvGrowthTokens { get; set; } = 256;

    /// <summary>Bytes of vision-tower outputs kept for reuse (per tenant and image hash).</summary>
    public long VisionCacheBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Context length override; 0 uses the model's.</summary>
    public int MaxContextTokens { get; set; }

    /// <summary>Validates the options; throws with the offending value.</summary>
    public void Validate()
    {
        if (KvCacheTokens <= 0 || MaxBatchTokens <= 0 || MaxRunningSequences <= 0 || KvGrowthTokens <= 0 || MaxWaitingRequests <= 0)
        {
            throw new ArgumentException(
                $"engine limits must be positive: KvCacheTokens={KvCacheTokens}, MaxBatchTokens={MaxBatchTokens}, " +
                $"MaxRunningSequences={MaxRunningSequences}, KvGrowthTokens={KvGrowthTokens}, MaxWaitingRequests={MaxWaitingRequests}");
        }

        if (MaxContextTokens < 0)
        {
            throw new ArgumentException($"MaxContextTokens must be 0 (model default) or positive, got {MaxContextTokens}");
        }
    }
}
