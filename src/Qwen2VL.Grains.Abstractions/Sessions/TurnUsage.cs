using System.Runtime.Serialization;

namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>Token counts of one turn, as billed.</summary>
/// <param name="PromptTokens">Tokens of the prompt: system prompt, history and new messages.</param>
/// <param name="CompletionTokens">Tokens the model generated.</param>
/// <param name="CachedPromptTokens">Prompt tokens served from a KV cache instead of being computed again.</param>
[GenerateSerializer, Immutable]
public sealed record TurnUsage(
    [property: Id(0)] int PromptTokens,
    [property: Id(1)] int CompletionTokens,
    [property: Id(2)] int CachedPromptTokens)
{
    /// <summary>Prompt and completion tokens together.</summary>
    [IgnoreDataMember]
    public int TotalTokens => PromptTokens + CompletionTokens;
}
