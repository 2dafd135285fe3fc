namespace Qwen2VL.Gateway.Http;

/// <summary>What a completed chat request produced, for its span, its log line and the tenant's usage.</summary>
/// <param name="PromptTokens">Prompt tokens (the prompt is shared by all choices, so counted once).</param>
/// <param name="CompletionTokens">Generated tokens over all choices.</param>
/// <param name="CachedPromptTokens">Prompt tokens served from a kept cache.</param>
/// <param name="FinishReasons">Each choice's finish reason, in choice order.</param>
internal sealed record ChatResult(int PromptTokens, int CompletionTokens, int CachedPromptTokens, IReadOnlyList<string> FinishReasons);
