namespace Qwen2VL.Processing.Media;

/// <summary>Connecting or downloading exceeded the configured time (code <c>media_timeout</c>).</summary>
public sealed class MediaTimeoutException(string message, Exception? innerException = null)
    : MediaFetchException(MediaErrorCodes.Timeout, message, innerException);
