using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Generation;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// A hash of what a stateless request asks for (model, conversation with media options, sampling), so that an idempotency key sent
/// again with a different request is recognised as reused rather than answered with the other request's result.
/// </summary>
public static class RequestFingerprint
{
    /// <summary>Lower-case hex SHA-256 over a canonical, length-prefixed rendering of the request.</summary>
    public static string Of(StatelessChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        Append(text, request.ModelId);
        foreach (var message in request.Conversation)
        {
            Append(text, message.Role.ToString());
            Append(text, message.ToolCallId);
            foreach (var part in message.Content)
            {
                Append(text, part.Kind.ToString());
                Append(text, part.Kind == ContentKind.Text ? part.Text : part.Media?.ContentHash);
                if (part.Options is { } options)
                {
                    // Only when set, like the logprobs below: keys stored before options existed still match.
                    Append(text, "options=" + options.ToCanonicalString());
                }
            }
        }

        var s = request.Sampling;
        Append(text, string.Join(',', new object?[]
        {
            s.Temperature, s.TopP, s.TopK, s.MinP, s.RepetitionPenalty, s.PresencePenalty, s.FrequencyPenalty, s.Seed, s.MaxTokens,
        }.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        foreach (string stop in s.Stop ?? [])
        {
            Append(text, stop);
        }

        // Rendered only when set, so keys stored before these settings existed still match their requests.
        if (s.Logprobs is not null || s.TopLogprobs is not null)
        {
            Append(text, $"logprobs={s.Logprobs},{s.TopLogprobs}");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Length-prefixed, so that no two different requests render the same.</summary>
    private static void Append(StringBuilder text, string? value) =>
        text.Append(value?.Length ?? -1).Append(':').Append(value).Append('|');
}
