namespace Qwen2VL.Gateway.Limits;

/// <summary>What a finished request used, as reported to the client.</summary>
public sealed record RequestUsage(int PromptTokens, int CompletionTokens, int CachedPromptTokens);
