namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Rendering a chat template failed on the data it was given: a value of the wrong type, a missing variable, a
/// division by zero. Usually the conversation is malformed (e.g. content that is neither text nor a list of parts).
/// </summary>
public class ChatTemplateRenderException : InvalidInputException
{
    /// <summary>Creates the exception; the position is appended to the message.</summary>
    public ChatTemplateRenderException(string message, SourcePosition position, Exception? innerException = null)
        : this("chat_template_failed", message, position, innerException)
    {
    }

    /// <summary>Creates the exception with a specific code.</summary>
    protected ChatTemplateRenderException(string code, string message, SourcePosition position, Exception? innerException)
        : base(code, $"chat template, {position}: {message}", innerException)
    {
        Position = position;
    }

    /// <summary>Where in the template source evaluation failed.</summary>
    public SourcePosition Position { get; }
}
