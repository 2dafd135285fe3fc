namespace Qwen2VL.Engine.Text;

/// <summary>What a text generation stream reports.</summary>
public abstract record TextEvent;

/// <summary>The prompt is processed; sent once, before the first delta.</summary>
public sealed record TextStarted(int PromptTokens, int CachedPromptTokens, TimeSpan QueueTime, TimeSpan PrefillTime) : TextEvent;

/// <summary>Generated text. <see cref="Tokens"/> are the tokens it came from, with log probabilities when asked.</summary>
public sealed record TextDelta(string Text, IReadOnlyList<GeneratedToken> Tokens) : TextEvent;

/// <summary>A generated token with its text and, when asked, log probabilities of it and of the best alternatives.</summary>
public sealed record GeneratedToken(int TokenId, string Text, float? Logprob, IReadOnlyList<(string Text, float Logprob)> TopLogprobs);

/// <summary>The end of the answer.</summary>
/// <param name="Reason">stop (EOS, stop token or stop string), length, or cancelled.</param>
/// <param name="CompletionTokens">Tokens generated (including a stop token, as OpenAI counts).</param>
public sealed record TextFinished(string Reason, int CompletionTokens, string? StopString) : TextEvent;
