using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Validation;
using ApiContentPart = Qwen2VL.Api.V1.ContentPart;
using ContentPart = Qwen2VL.Gateway.OpenAi.ContentPart;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// Reads API messages into the gateway's <see cref="ChatMessage"/>s under the same rules as the HTTP API, naming
/// the field at fault in proto form (<c>messages[1].content[0].image.url</c>); and writes history back.
/// </summary>
public static class MessageMapper
{
    /// <summary>A whole conversation, as Generate receives it.</summary>
    public static IReadOnlyList<ChatMessage> ToConversation(IReadOnlyList<Message> messages, ChatRequestLimits limits, string path)
    {
        ConversationRules.CheckMessageCount(messages.Count, limits, path);
        var conversation = messages.Select((message, i) => ToChatMessage(message, $"{path}[{i}]", limits)).ToList();
        MediaRules.CheckCounts(conversation, limits, path);
        return conversation;
    }

    /// <summary>
    /// The new message of a session turn: a user message or a tool result. System prompt and answers are the
    /// session's to keep.
    /// </summary>
    public static ChatMessage ToTurnMessage(Message? message, ChatRequestLimits limits, string path)
    {
        if (message is null)
        {
            throw OpenAiException.BadRequest($"{path} is required", path, "missing_required_parameter");
        }

        var turn = ToChatMessage(message, path, limits);
        if (turn.Role is not ("user" or "tool"))
        {
            throw OpenAiException.BadRequest(
                $"{path}.role must be ROLE_USER or ROLE_TOOL in a session turn; the session keeps the system prompt and the answers", $"{path}.role");
        }

        MediaRules.CheckCounts([turn], limits, path);
        return turn;
    }

    public static ChatMessage ToChatMessage(Message message, string path, ChatRequestLimits limits)
    {
        string role = message.Role switch
        {
            Role.System => "system",
            Role.User => "user",
            Role.Assistant => "assistant",
            Role.Tool => "tool",
            Role.Unspecified => throw OpenAiException.BadRequest(
                $"{path}.role is required: ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL", $"{path}.role", "missing_required_parameter"),
            var other => throw OpenAiException.BadRequest($"{path}.role {(int)other} is not a known role", $"{path}.role"),
        };
        if (message.Content.Count == 0)
        {
            throw OpenAiException.BadRequest($"{path}.content must have at least one part", $"{path}.content");
        }

        var parts = new List<ContentPart>(message.Content.Count);
        for (int i = 0; i < message.Content.Count; i++)
        {
            string partPath = $"{path}.content[{i}]";
            var part = ToContentPart(message.Content[i], partPath, limits);
            if (part is not TextPart && role != "user")
            {
                throw OpenAiException.BadRequest($"{partPath}: images and videos are only accepted in user messages, not in {role} messages", partPath);
            }

            parts.Add(part);
        }

        string? toolCallId = string.IsNullOrEmpty(message.ToolCallId) ? null : message.ToolCallId;
        if (role == "tool" && toolCallId is null)
        {
            throw OpenAiException.BadRequest($"{path}.tool_call_id is required for ROLE_TOOL messages", $"{path}.tool_call_id", "missing_required_parameter");
        }

        if (role != "tool" && toolCallId is not null)
        {
            throw OpenAiException.BadRequest($"{path}.tool_call_id is only allowed on ROLE_TOOL messages", $"{path}.tool_call_id");
        }

        return new ChatMessage(role, parts, ToolCallId: toolCallId);
    }

    /// <summary>A stored message as the API returns it in a session's history; inline media come back as data: URLs.</summary>
    public static Message ToApi(ChatMessage message)
    {
        var result = new Message
        {
            Role = message.Role switch
            {
                "system" => Role.System,
                "user" => Role.User,
                "assistant" => Role.Assistant,
                "tool" => Role.Tool,
                _ => Role.Unspecified,
            },
            ToolCallId = message.ToolCallId ?? "",
        };
        foreach (var part in message.Content)
        {
            result.Content.Add(part switch
            {
                TextPart text => new ApiContentPart { Text = text.Text },
                ImagePart image => new ApiContentPart { Image = new Media { Url = image.Url, Detail = ToApiDetail(image.Detail) } },
                VideoPart { FrameUrls: { } frames } => new ApiContentPart
                {
                    Video = new Media { Frames = new Frames { Frames_ = { frames.Select(url => new Media { Url = url }) } } },
                },
                VideoPart video => new ApiContentPart { Video = new Media { Url = video.Url ?? "" } },
                _ => throw new InvalidOperationException($"content part {part.GetType().Name} has no API form"),
            });
        }

        return result;
    }

    private static ContentPart ToContentPart(ApiContentPart part, string path, ChatRequestLimits limits) => part.PartCase switch
    {
        ApiContentPart.PartOneofCase.Text => new TextPart(part.Text),
        ApiContentPart.PartOneofCase.Image => MediaMapper.ToImage(part.Image, $"{path}.image"),
        ApiContentPart.PartOneofCase.Video => MediaMapper.ToVideo(part.Video, $"{path}.video", limits),
        _ => throw OpenAiException.BadRequest($"{path} must set text, image or video", path, "missing_required_parameter"),
    };

    private static ImageDetail ToApiDetail(string? detail) => detail switch
    {
        "auto" => ImageDetail.Auto,
        "low" => ImageDetail.Low,
        "high" => ImageDetail.High,
        _ => ImageDetail.Unspecified,
    };
}
