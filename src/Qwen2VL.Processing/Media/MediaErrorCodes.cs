namespace Qwen2VL.Processing.Media;

/// <summary>The stable <see cref="InvalidInputException.Code"/> values of media fetching failures.</summary>
public static class MediaErrorCodes
{
    /// <summary>The reference is not a URL, data URL or path this server understands, or its scheme is not enabled.</summary>
    public const string InvalidReference = "invalid_media_reference";

    /// <summary>A <c>data:</c> URL is malformed (no comma, not base64-encoded).</summary>
    public const string InvalidDataUrl = "invalid_data_url";

    /// <summary>A <c>data:</c> URL's base64 payload does not decode.</summary>
    public const string InvalidBase64 = "invalid_base64";

    /// <summary>The content is larger than the configured limit.</summary>
    public const string TooLarge = "media_too_large";

    /// <summary>The host resolves only to addresses the address policy refuses (loopback, private, link-local…).</summary>
    public const string ForbiddenAddress = "forbidden_address";

    /// <summary>A local path is outside the configured roots, or local files are not enabled.</summary>
    public const string ForbiddenPath = "forbidden_path";

    /// <summary>The server or file could not be reached or answered with an error status.</summary>
    public const string Unreachable = "media_unreachable";

    /// <summary>More redirects than the configured limit.</summary>
    public const string TooManyRedirects = "too_many_redirects";

    /// <summary>The declared or detected type is not an accepted image or video format.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>Connecting or downloading took longer than the configured limit.</summary>
    public const string Timeout = "media_timeout";
}
