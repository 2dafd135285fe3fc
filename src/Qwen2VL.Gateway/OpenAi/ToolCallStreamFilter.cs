namespace Qwen2VL.Gateway.OpenAi;

/// <summary>
/// Streams content while holding back everything from the first <c>&lt;tool_call&gt;</c> (or a text ending that
/// could be its start), so clients never see raw call markup; the held text is parsed into calls at the end.
/// </summary>
public sealed class ToolCallStreamFilter
{
    private readonly System.Text.StringBuilder _held = new();
    private bool _inCall;

    /// <summary>Adds generated text; returns the part that is safe to stream as content now.</summary>
    public string Push(string text)
    {
        if (_inCall)
        {
            _held.Append(text);
            return "";
        }

        string pending = _held.Append(text).ToString();
        _held.Clear();
        int open = pending.IndexOf(ToolCallParser.OpenTag, StringComparison.Ordinal);
        if (open >= 0)
        {
            _inCall = true;
            _held.Append(pending, open, pending.Length - open);
            return pending[..open];
        }

        int keep = PartialTagLength(pending);
        _held.Append(pending, pending.Length - keep, keep);
        return pending[..^keep];
    }

    /// <summary>Ends the stream: the remaining content (held text that was no call) and the parsed calls.</summary>
    public ParsedAnswer Finish()
    {
        string held = _held.ToString();
        _held.Clear();
        if (!_inCall)
        {
            return new ParsedAnswer(held, Array.Empty<ToolCall>());
        }

        var parsed = ToolCallParser.Parse(held);
        return parsed.ToolCalls.Count == 0 ? new ParsedAnswer(held, parsed.ToolCalls) : parsed;
    }

    private static int PartialTagLength(string text)
    {
        for (int length = Math.Min(ToolCallParser.OpenTag.Length - 1, text.Length); length > 0; length--)
        {
            if (ToolCallParser.OpenTag.AsSpan(0, length).SequenceEqual(text.AsSpan(text.Length - length)))
            {
                return length;
            }
        }

        return 0;
    }
}
