namespace Qwen2VL.Engine.Pipeline;

/// <summary>One sequence's share of a pipeline step, as the stages after the driver see it.</summary>
/// <param name="CacheKey">
/// The driver's key for this sequence's cache. It is unique per cache the driver holds (not the session key alone),
/// because two live sequences may share a session or prefix key and must never share a cache on a later stage.
/// </param>
/// <param name="CachedTokens">Tokens each stage's cache must already hold; a stage holding more rolls back to this.</param>
/// <param name="NewTokens">New tokens of the sequence in the step (at least 1).</param>
public readonly record struct PipelineSegment(string CacheKey, int CachedTokens, int NewTokens);
