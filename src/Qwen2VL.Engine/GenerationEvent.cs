using Qwen2VL.Model.Sampling;

namespace Qwen2VL.Engine;

/// <summary>What a generation stream reports.</summary>
public abstract record GenerationEvent;

/// <summary>A new token. The first one also carries the prompt accounting.</summary>
/// <param name="Index">0 for the first generated token.</param>
public sealed record TokenGenerated(int Index, int TokenId, float? Logprob, IReadOnlyList<TokenLogprob> TopLogprobs) : GenerationEvent;

/// <summary>The prompt has been processed (sent just before the first token).</summary>
/// <param name="PromptTokens">Tokens of the prompt.</param>
/// <param name="CachedPromptTokens">Of those, served from a kept KV cache.</param>
/// <param name="QueueTime">From submission to admission.</param>
/// <param name="PrefillTime">From admission to the first token.</param>
public sealed record PromptProcessed(int PromptTokens, int CachedPromptTokens, TimeSpan QueueTime, TimeSpan PrefillTime) : GenerationEvent;

/// <summary>The last event of a stream.</summary>
public sealed record GenerationFinished(SequenceFinishReason Reason, int GeneratedTokens) : GenerationEvent;

/// <summary>Why a sequence stopped.</summary>
public enum SequenceFinishReason
{
    /// <summary>An end-of-sequence or stop token.</summary>
    Stop,

    /// <summary>max_new_tokens or the context length.</summary>
    Length,

    /// <summary>The caller cancelled or disconnected.</summary>
    Cancelled,
}
