using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Limits;

/// <summary>What a request is expected to use, for admission before its real usage is known.</summary>
/// <param name="MediaCount">Images and videos in the request.</param>
/// <param name="EstimatedTokens">
/// Prompt plus completion tokens the request may use; counted against the tenant's minute until the real usage
/// replaces it.
/// </param>
public sealed record RequestCost(int MediaCount, int EstimatedTokens)
{
    /// <summary>Roughly four characters of text per token, as for English text with Qwen's tokenizer.</summary>
    private const int CharactersPerToken = 4;

    /// <summary>A medium-sized image at the default pixel budget; the real count replaces this on release.</summary>
    private const int TokensPerMedia = 256;

    /// <summary>Assumed answer length when the request sets no max_tokens.</summary>
    private const int DefaultCompletionTokens = 256;

    /// <summary>Estimates the cost of answering <paramref name="messages"/> <paramref name="choices"/> times.</summary>
    public static RequestCost Of(IReadOnlyList<ChatMessage> messages, int? maxTokens, int choices)
    {
        ArgumentNullException.ThrowIfNull(messages);
        long characters = 0;
        int media = 0;
        foreach (var part in messages.SelectMany(m => m.Content))
        {
            if (part is TextPart text)
            {
                characters += text.Text.Length;
            }
            else
            {
                media++;
            }
        }

        long prompt = (characters / CharactersPerToken) + ((long)media * TokensPerMedia);
        long completion = (long)(maxTokens ?? DefaultCompletionTokens) * Math.Max(1, choices);
        return new RequestCost(media, (int)Math.Min(int.MaxValue, prompt + completion));
    }
}
