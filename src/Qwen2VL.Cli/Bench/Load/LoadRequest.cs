namespace Qwen2VL.Cli.Bench.Load;

/// <summary>One request of the mix: a user message, optionally with an image, optionally a turn of a server-side session.</summary>
/// <param name="Text">The user's text.</param>
/// <param name="Image">A PNG to send before the text, or null.</param>
/// <param name="MaxTokens">max_tokens of the request.</param>
/// <param name="SessionId">The session this turn belongs to, or null for a stateless request.</param>
/// <param name="FirstTurn">Whether this turn opens its session (the gRPC client creates the session first).</param>
internal sealed record LoadRequest(string Text, byte[]? Image, int MaxTokens, string? SessionId, bool FirstTurn);
