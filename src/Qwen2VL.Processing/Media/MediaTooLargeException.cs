namespace Qwen2VL.Processing.Media;

/// <summary>The content exceeds <see cref="MediaFetchOptions.MaxBytes"/> (code <c>media_too_large</c>).</summary>
public sealed class MediaTooLargeException(long limitBytes, string message)
    : MediaFetchException(MediaErrorCodes.TooLarge, message)
{
    /// <summary>The limit that was exceeded.</summary>
    public long LimitBytes { get; } = limitBytes;
}
