namespace Qwen2VL.Processing.Media;

/// <summary>The source did not deliver: unknown host, refused connection, error status, missing file, redirect loop.</summary>
public sealed class MediaUnreachableException(string code, string message, int? statusCode = null, Exception? innerException = null)
    : MediaFetchException(code, message, innerException)
{
    /// <summary>The HTTP status the server answered with, when it answered.</summary>
    public int? StatusCode { get; } = statusCode;
}
