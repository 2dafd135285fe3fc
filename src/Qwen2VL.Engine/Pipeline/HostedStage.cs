using Qwen2VL.Model.Stages;

namespace Qwen2VL.Engine.Pipeline;

/// <summary>
/// A loaded stage after the driver's, shared by every upstream stream that reaches it: the module, the KV token
/// budget all their caches draw from, and the lock that serialises use of both (one device, one step at a time).
/// </summary>
public sealed class HostedStage
{
    /// <param name="stage">A stage that is not the first (the driver holds the embedding and vision tower).</param>
    /// <param name="kvCacheTokens">KV capacity of this stage in tokens, over all its caches.</param>
    /// <param name="maxContextTokens">Longest sequence a cache may hold; 0 uses the model's.</param>
    /// <param name="description">How errors name this stage; defaults to its layers.</param>
    public HostedStage(Qwen2VLStage stage, int kvCacheTokens, int maxContextTokens = 0, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (stage.IsFirst)
        {
            throw new ArgumentException($"stage {stage.Layers} is a first stage; later stages take hidden states, the driver runs the first");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxContextTokens);
        Stage = stage;
        Budget = new KvTokenBudget(kvCacheTokens);
        MaxContextTokens = maxContextTokens > 0 ? Math.Min(maxContextTokens, stage.Config.MaxPositionEmbeddings) : stage.Config.MaxPositionEmbeddings;
        Description = description ?? $"layers {stage.Layers}";
    }

    /// <summary>The stage's layers and weights.</summary>
    public Qwen2VLStage Stage { get; }

    /// <summary>The KV token budget of this stage; touch only under <see cref="Gate"/>.</summary>
    public KvTokenBudget Budget { get; }

    /// <summary>Longest sequence a cache may hold.</summary>
    public int MaxContextTokens { get; }

    /// <summary>New caches are allocated in multiples of this many tokens, so decode rarely reallocates.</summary>
    public int GrowthTokens { get; init; } = 64;

    /// <summary>How errors name this stage.</summary>
    public string Description { get; }

    /// <summary>Caches held over all streams; touch only under <see cref="Gate"/>.</summary>
    public int CachedSequences { get; internal set; }

    /// <summary>Serialises forwards and cache bookkeeping of every stream on this stage.</summary>
    public Lock Gate { get; } = new();
}
