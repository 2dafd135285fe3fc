namespace Qwen2VL.Processing.Media;

/// <summary>
/// A decoded <c>data:[&lt;media type&gt;][;params];base64,&lt;payload&gt;</c> URL (RFC 2397). Only base64 payloads are
/// accepted: images and videos are binary, and percent-encoded binary is not something clients send.
/// </summary>
public sealed class DataUrl
{
    private DataUrl(string? mediaType, byte[] data)
    {
        MediaType = mediaType;
        Data = data;
    }

    /// <summary>The declared media type in lower case, or null when the URL declares none.</summary>
    public string? MediaType { get; }

    /// <summary>The decoded payload.</summary>
    public byte[] Data { get; }

    /// <summary>Whether <paramref name="reference"/> is a data URL (the scheme is case-insensitive).</summary>
    public static bool IsDataUrl(string reference) => reference.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Decodes a data URL, refusing it before decoding when the payload would exceed <paramref name="maxBytes"/>.</summary>
    public static DataUrl Parse(string reference, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!IsDataUrl(reference))
        {
            throw new MediaFetchException(MediaErrorCodes.InvalidDataUrl, "a data URL must start with 'data:'");
        }

        int comma = reference.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw new MediaFetchException(MediaErrorCodes.InvalidDataUrl, "the data URL has no ',' between its header and its data");
        }

        string[] header = reference[5..comma].Split(';', StringSplitOptions.TrimEntries);
        if (!header[^1].Equals("base64", StringComparison.OrdinalIgnoreCase))
        {
            throw new MediaFetchException(MediaErrorCodes.InvalidDataUrl,
                $"the data URL is not base64-encoded (its header is '{Truncate(reference[5..comma])}'); use data:<media type>;base64,<data>");
        }

        string? mediaType = header.Length > 1 && header[0].Length > 0 ? header[0].ToLowerInvariant() : null;
        ReadOnlySpan<char> payload = reference.AsSpan(comma + 1);
        if (payload.Contains('%'))
        {
            // Some clients percent-encode '+', '/' and '=' inside the URL.
            payload = Uri.UnescapeDataString(payload.ToString());
        }

        long decodedUpperBound = (payload.Length / 4 * 3L) + 3;
        if (decodedUpperBound - 3 > maxBytes)
        {
            throw new MediaTooLargeException(maxBytes,
                $"the data URL holds about {decodedUpperBound - 3} bytes; the limit is {maxBytes}");
        }

        byte[] buffer = new byte[decodedUpperBound];
        if (!Convert.TryFromBase64Chars(payload, buffer, out int written))
        {
            throw new MediaFetchException(MediaErrorCodes.InvalidBase64,
                $"the data URL's payload ({payload.Length} characters) is not valid base64");
        }

        if (written > maxBytes)
        {
            throw new MediaTooLargeException(maxBytes, $"the data URL holds {written} bytes; the limit is {maxBytes}");
        }

        return new DataUrl(mediaType, buffer.AsSpan(0, written).ToArray());
    }

    private static string Truncate(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
