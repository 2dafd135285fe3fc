using Qwen2VL.Model.Cache;

namespace Qwen2VL.Model.Stages;

/// <summary>
/// One sequence's share of a flat batch: its KV cache for this stage, how many tokens of the sequence the cache already
/// holds (the new tokens follow them; a smaller number than the cache's length rolls the cache back), and how many new
/// tokens it brings. Segments appear in the flat batch in list order.
/// </summary>
/// <param name="Cache">The sequence's KV cache for this stage.</param>
/// <param name="CachedTokens">Tokens already in the cache that the new tokens attend to.</param>
/// <param name="NewTokens">New tokens of this sequence in the batch (at least 1).</param>
public sealed record SequenceSegment(KvCache Cache, int CachedTokens, int NewTokens);
