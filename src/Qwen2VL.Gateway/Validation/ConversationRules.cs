using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Validation;

/// <summary>Bounds on the shape of a conversation and on the keys clients choose.</summary>
public static class ConversationRules
{
    /// <summary>The longest idempotency key or session id a client may choose.</summary>
    public const int MaxKeyLength = 128;

    public static void CheckMessageCount(int count, ChatRequestLimits limits, string path)
    {
        if (count == 0)
        {
            throw OpenAiException.BadRequest($"{path} must contain at least one message", path);
        }

        if (count > limits.MaxMessages)
        {
            throw OpenAiException.BadRequest($"{path} has {count} entries; at most {limits.MaxMessages} are allowed", path);
        }
    }

    /// <summary>
    /// An idempotency key (or a session id sent in an HTTP header): 1 to 128 letters, digits, '-', '_', '.' or ':',
    /// so that it can travel in a header and name a cache entry as it is. Blank means none.
    /// </summary>
    public static string? CheckRequestKey(string? value, string path)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (value.Length > MaxKeyLength || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            throw OpenAiException.BadRequest($"{path} must be 1 to {MaxKeyLength} letters, digits, '-', '_', '.' or ':'", path);
        }

        return value;
    }

    /// <summary>
    /// A session id chosen by a client: 1 to 128 letters, digits, '-', '_' or '.'. No ':' so that the cluster can
    /// join it with other names into one key.
    /// </summary>
    public static bool IsValidSessionId(string value) =>
        value.Length is > 0 and <= MaxKeyLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
