using Qwen2VL.Model.Sampling;

namespace Qwen2VL.Engine;

/// <summary>
/// One sequence to generate for: the whole prompt (pads expanded) with its M-RoPE positions and media. The engine
/// reuses whatever prefix of it a kept cache of the same <see cref="SequenceKey"/> already holds.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>Tenant-scoped cache key (a session, or a prefix hash for stateless requests).</summary>
    public required string SequenceKey { get; init; }

    public required string TenantId { get; init; }

    public required int[] PromptTokens { get; init; }

    /// <summary>Positions [3, L] row-major (temporal, height, width rows) from the rope index.</summary>
    public required long[] PromptPositions { get; init; }

    /// <summary>Offset of generated tokens' positions: token i ≥ L sits at i + RopeDelta on all three rows.</summary>
    public required long RopeDelta { get; init; }

    /// <summary>Media in the order their pads appear.</summary>
    public IReadOnlyList<PreparedMedia> Media { get; init; } = Array.Empty<PreparedMedia>();

    public required SamplingParameters Sampling { get; init; }

    /// <summary>Keep the KV cache after the turn so the next turn with this key prefills only new tokens.</summary>
    public bool KeepCache { get; init; }

    /// <summary>
    /// Keys of other kept caches this prompt may continue, tried in order after <see cref="SequenceKey"/> (longest
    /// prefix first): a stateless request names the caches its conversation's earlier prefixes were kept under. Each
    /// must start with "<see cref="TenantId"/>/", so no tenant reaches another's cache. The first cache found is adopted
    /// for the token prefix it shares with this prompt (<see cref="PrefixMatcher"/>), so a stale or colliding key
    /// costs a prefill, never a wrong answer.
    /// </summary>
    public IReadOnlyList<string> ReuseKeys { get; init; } = Array.Empty<string>();
}
