namespace Qwen2VL.Processing.Media;

/// <summary>
/// Recognises image and video formats from their first bytes ("magic numbers"). A server's Content-Type or a data
/// URL's label can be wrong or hostile; the bytes decide what the data is.
/// </summary>
public static class MediaSniffer
{
    /// <summary>How many leading bytes <see cref="Detect"/> looks at.</summary>
    public const int HeaderLength = 64;

    /// <summary>The media type the bytes start like, or null when they match no accepted format.</summary>
    public static string? Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8))
        {
            var form = data.Slice(8, 4);
            if (form.SequenceEqual("WEBP"u8))
            {
                return "image/webp";
            }

            if (form.SequenceEqual("AVI "u8))
            {
                return "video/x-msvideo";
            }

            return null;
        }

        // "BM", then a little-endian file size and two reserved zero words: checking the reserved words keeps text
        // that merely starts with "BM" out.
        if (data.Length >= 14 && data.StartsWith("BM"u8) && data[6] == 0 && data[7] == 0 && data[8] == 0 && data[9] == 0)
        {
            return "image/bmp";
        }

        return DetectVideo(data);
    }

    /// <summary>The kind a media type belongs to, or null when it is neither an image nor a video type.</summary>
    public static MediaKind? KindOf(string? mediaType) =>
        mediaType switch
        {
            null => null,
            _ when mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) => MediaKind.Image,
            _ when mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase) => MediaKind.Video,
            _ => null,
        };

    /// <summary>A short hexadecimal rendering of the first bytes, for error messages.</summary>
    public static string Describe(ReadOnlySpan<byte> data)
    {
        var head = data[..Math.Min(data.Length, 8)];
        return head.IsEmpty ? "empty content" : $"content starting {Convert.ToHexString(head)}";
    }

    private static string? DetectVideo(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 12)
        {
            // ISO base media (MP4, MOV, 3GP): a box size, then the box type; files start with ftyp, older QuickTime
            // files with moov/mdat/wide/free/skip.
            var box = data.Slice(4, 4);
            if (box.SequenceEqual("ftyp"u8))
            {
                var brand = data.Slice(8, 4);
                return brand.SequenceEqual("qt  "u8) ? "video/quicktime"
                    : brand.StartsWith("3g"u8) ? "video/3gpp"
                    : "video/mp4";
            }

            if (box.SequenceEqual("moov"u8) || box.SequenceEqual("mdat"u8) || box.SequenceEqual("wide"u8)
                || box.SequenceEqual("free"u8) || box.SequenceEqual("skip"u8))
            {
                return "video/quicktime";
            }
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            // EBML header; its DocType element says which of the two.
            return data[..Math.Min(data.Length, HeaderLength)].IndexOf("webm"u8) >= 0 ? "video/webm" : "video/x-matroska";
        }

        if (data.Length >= 189 && data[0] == 0x47 && data[188] == 0x47)
        {
            return "video/mp2t";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0xBA]))
        {
            return "video/mpeg";
        }

        if (data.StartsWith("FLV"u8))
        {
            return "video/x-flv";
        }

        if (data.StartsWith("OggS"u8))
        {
            return "video/ogg";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]))
        {
            return "video/x-ms-asf";
        }

        return null;
    }
}
