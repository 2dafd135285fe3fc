namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// A chat template cannot be parsed, or uses a Jinja construct this interpreter does not support. This is a fault of
/// the checkpoint's template, not of a request; the message names the construct and where it is.
/// </summary>
public sealed class ChatTemplateSyntaxException : Exception
{
    /// <summary>Creates the exception; the position is appended to the message.</summary>
    public ChatTemplateSyntaxException(string message, SourcePosition position)
        : base($"chat template, {position}: {message}")
    {
        Position = position;
    }

    /// <summary>Where in the template source the problem is.</summary>
    public SourcePosition Position { get; }
}
