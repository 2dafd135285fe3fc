using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Processing.Video;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// Turns a grain conversation (roles, text, media by hash with their processing options) into the prompt messages the
/// chat template renders.
/// </summary>
public static class ConversationPrompt
{
    /// <summary>
    /// Converts <paramref name="conversation"/>, loading each image and video through <paramref name="media"/> and
    /// processing it with the options stored with its part. A video is a file (decoded by <paramref name="videos"/>)
    /// or a stored frame list (<paramref name="frameLists"/>).
    /// </summary>
    public static async Task<IReadOnlyList<PromptMessage>> BuildAsync(
        IReadOnlyList<ChatMessage> conversation, MediaResolver media, VideoLoader videos, FrameListLoader frameLists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(videos);
        ArgumentNullException.ThrowIfNull(frameLists);
        var messages = new List<PromptMessage>(conversation.Count);
        foreach (var message in conversation)
        {
            var parts = new List<PromptPart>(message.Content.Count);
            foreach (var part in message.Content)
            {
                switch (part.Kind)
                {
                    case ContentKind.Text:
                        // Qwen2-VL's template has no tool role: tool results go into a user turn, wrapped as it expects.
                        parts.Add(new PromptText(message.Role == ChatRole.Tool ? $"<tool_response>\n{part.Text}\n</tool_response>" : part.Text ?? ""));
                        break;
                    case ContentKind.Image:
                        parts.Add(new PromptImage(await media.GetAsync(part.Media!, cancellationToken).ConfigureAwait(false),
                            MediaProcessingRequests.ForImage(part.Options)));
                        break;
                    case ContentKind.Video:
                        var bytes = await media.GetAsync(part.Media!, cancellationToken).ConfigureAwait(false);
                        var sampling = MediaProcessingRequests.ForVideo(part.Options, videos.Defaults);
                        parts.Add(new PromptVideo(FrameListMedia.IsFrameList(part.Media!)
                            ? frameLists.Load(bytes, sampling, videos.Defaults)
                            : await videos.LoadBytesAsync(bytes, sampling, cancellationToken).ConfigureAwait(false)));
                        break;
                }
            }

            messages.Add(new PromptMessage(RoleName(message.Role), parts));
        }

        return messages;
    }

    private static string RoleName(ChatRole role) => role switch
    {
        ChatRole.System => "system",
        ChatRole.Assistant => "assistant",
        _ => "user",
    };
}
