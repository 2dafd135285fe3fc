namespace Qwen2VL.Processing.Media;

/// <summary>The declared or detected content type is not an accepted format of the expected kind (code <c>unsupported_media_type</c>).</summary>
public sealed class UnsupportedMediaTypeException(string message)
    : MediaFetchException(MediaErrorCodes.UnsupportedMediaType, message);
