using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Abstractions.Generation;

/// <summary>The end of a generation call.</summary>
/// <param name="FinishReason">Why it ended.</param>
/// <param name="PromptTokens">Tokens prefilled for this call, continuation tokens included.</param>
/// <param name="CachedPromptTokens">How many of them came from the cache.</param>
public sealed record GenerationFinished(FinishReason FinishReason, int PromptTokens, int CachedPromptTokens) : GenerationEvent;
