using Qwen2VL.Gateway.Limits;

namespace Qwen2VL.Gateway.Http;

/// <summary>What a completed chat request produced, for its span, its log line and the tenant's usage.</summary>
/// <param name="PromptTokens">Prompt tokens (the prompt is shared by all choices, so counted once).</param>
/// <param name="CompletionTokens">Generated tokens over all choices.</param>
/// <param name="CachedPromptTokens">Prompt tokens served from a kept cache.</param>
/// <param name="FinishReasons">Each choice's finish reason, in choice order.</param>
/// <param name="Replayed">Every choice was a stored result replayed for a retried idempotency key: nothing to charge.</param>
internal sealed record ChatResult(int PromptTokens, int CompletionTokens, int CachedPromptTokens, IReadOnlyList<string> FinishReasons, bool Replayed = false)
{
    /// <summary>The usage to charge the tenant: none for a replay.</summary>
    public RequestUsage? Chargeable => Replayed ? null : new RequestUsage(PromptTokens, CompletionTokens, CachedPromptTokens);
}
