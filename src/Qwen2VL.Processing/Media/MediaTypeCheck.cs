namespace Qwen2VL.Processing.Media;

/// <summary>The two checks every source goes through: the declared type must fit the expected kind, and so must the bytes.</summary>
internal static class MediaTypeCheck
{
    private static readonly string[] Untyped = ["application/octet-stream", "binary/octet-stream", "application/binary"];

    /// <summary>
    /// Refuses a declared type of another kind (text/html where an image is expected). A missing or generic binary
    /// type is allowed: the bytes decide.
    /// </summary>
    public static void CheckDeclared(string? declared, MediaKind? expected, string sourceName)
    {
        if (string.IsNullOrEmpty(declared) || Untyped.Contains(declared, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        var kind = MediaSniffer.KindOf(declared);
        if (kind is null || (expected is not null && kind != expected))
        {
            throw new UnsupportedMediaTypeException(
                $"{sourceName} is declared as '{declared}'; expected {Describe(expected)}");
        }
    }

    /// <summary>Detects the type from the bytes and refuses anything that is not an accepted format of the expected kind.</summary>
    public static (string MediaType, MediaKind Kind) Detect(ReadOnlySpan<byte> data, MediaKind? expected, string sourceName)
    {
        string? detected = MediaSniffer.Detect(data);
        var kind = MediaSniffer.KindOf(detected);
        if (detected is null || kind is null || (expected is not null && kind != expected))
        {
            throw new UnsupportedMediaTypeException(
                $"{sourceName} is {(detected is null ? MediaSniffer.Describe(data) : detected)}, not {Describe(expected)}");
        }

        return (detected, kind.Value);
    }

    private static string Describe(MediaKind? kind) => kind switch
    {
        MediaKind.Image => "a PNG, JPEG, WebP, GIF or BMP image",
        MediaKind.Video => "a video (MP4/MOV, WebM/Matroska, AVI, MPEG-TS/PS, FLV, Ogg, ASF)",
        _ => "an image or a video",
    };
}
