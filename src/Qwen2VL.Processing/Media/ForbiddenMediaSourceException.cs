namespace Qwen2VL.Processing.Media;

/// <summary>The source is refused by policy: a forbidden address or a path outside the allowed roots.</summary>
public sealed class ForbiddenMediaSourceException(string code, string message)
    : MediaFetchException(code, message);
