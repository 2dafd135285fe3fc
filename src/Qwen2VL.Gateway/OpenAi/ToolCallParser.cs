using System.Security.Cryptography;
using System.Text.Json;

namespace Qwen2VL.Gateway.OpenAi;

/// <summary>The assistant's answer split into plain content and the function calls it made.</summary>
public sealed record ParsedAnswer(string? Content, IReadOnlyList<ToolCall> ToolCalls);

/// <summary>Finds <c>&lt;tool_call&gt;{"name": …, "arguments": …}&lt;/tool_call&gt;</c> blocks in generated text.</summary>
public static class ToolCallParser
{
    public const string OpenTag = "<tool_call>";
    public const string CloseTag = "</tool_call>";

    /// <summary>
    /// Splits generated text. Blocks whose JSON is malformed or lacks a name stay in the content, so nothing the model
    /// wrote is lost; an unterminated final block (the answer hit max_tokens) is also kept as content.
    /// </summary>
    public static ParsedAnswer Parse(string text)
    {
        var calls = new List<ToolCall>();
        var content = new System.Text.StringBuilder();
        int position = 0;
        while (position < text.Length)
        {
            int open = text.IndexOf(OpenTag, position, StringComparison.Ordinal);
            if (open < 0)
            {
                content.Append(text, position, text.Length - position);
                break;
            }

            int close = text.IndexOf(CloseTag, open + OpenTag.Length, StringComparison.Ordinal);
            if (close < 0)
            {
                content.Append(text, position, text.Length - position);
                break;
            }

            string body = text[(open + OpenTag.Length)..close];
            if (TryParseCall(body, out var call))
            {
                content.Append(text, position, open - position);
                calls.Add(call);
            }
            else
            {
                content.Append(text, position, close + CloseTag.Length - position);
            }

            position = close + CloseTag.Length;
        }

        string trimmed = content.ToString().Trim();
        return new ParsedAnswer(trimmed.Length == 0 && calls.Count > 0 ? null : (calls.Count > 0 ? trimmed : content.ToString()), calls);
    }

    private static bool TryParseCall(string body, out ToolCall call)
    {
        call = null!;
        try
        {
            using var json = JsonDocument.Parse(body.Trim());
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            string arguments = root.TryGetProperty("arguments", out var args)
                ? (args.ValueKind == JsonValueKind.String ? args.GetString()! : args.GetRawText())
                : "{}";
            call = new ToolCall(NewCallId(), name.GetString()!, arguments);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string NewCallId() => "call_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
