using System.Text;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Telemetry;

/// <summary>Turns a conversation into log text: its shape always, its words only when content logging is on.</summary>
public static class ChatContentSummary
{
    /// <summary>Counts of messages and media items; never any content.</summary>
    public static (int Messages, int Images, int Videos) Shape(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        int images = 0, videos = 0;
        foreach (var message in messages)
        {
            foreach (var part in message.Content)
            {
                if (part is ImagePart)
                {
                    images++;
                }
                else if (part is VideoPart)
                {
                    videos++;
                }
            }
        }

        return (messages.Count, images, videos);
    }

    /// <summary>
    /// The conversation as "role: text" lines, media as placeholders (their URLs may embed data or signed tokens),
    /// cut at <paramref name="maxChars"/>.
    /// </summary>
    public static string Render(IReadOnlyList<ChatMessage> messages, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append(message.Role).Append(": ");
            foreach (var part in message.Content)
            {
                text.Append(part switch
                {
                    TextPart t => t.Text,
                    ImagePart => "[image]",
                    VideoPart => "[video]",
                    _ => "[content]",
                });
            }

            foreach (var call in message.ToolCalls ?? Array.Empty<ToolCall>())
            {
                text.Append(" [tool call ").Append(call.Name).Append(' ').Append(call.ArgumentsJson).Append(']');
            }

            text.Append('\n');
            if (text.Length > maxChars)
            {
                break;
            }
        }

        return text.Length > maxChars ? string.Concat(text.ToString(0, Math.Max(0, maxChars)), "…") : text.ToString().TrimEnd('\n');
    }
}
