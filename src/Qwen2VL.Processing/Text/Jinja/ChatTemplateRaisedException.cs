namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// The template itself refused the conversation through <c>raise_exception(...)</c>, e.g. "Conversation roles must
/// alternate user/assistant". <see cref="TemplateMessage"/> is the template's own words.
/// </summary>
public sealed class ChatTemplateRaisedException : ChatTemplateRenderException
{
    /// <summary>Creates the exception.</summary>
    public ChatTemplateRaisedException(string templateMessage, SourcePosition position)
        : base("chat_template_rejected", $"the template rejected the conversation: {templateMessage}", position, null)
    {
        TemplateMessage = templateMessage;
    }

    /// <summary>The message the template passed to <c>raise_exception</c>.</summary>
    public string TemplateMessage { get; }
}
