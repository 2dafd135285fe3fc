namespace Qwen2VL.Processing.Media;

/// <summary>Reads a stream to its end into memory, failing as soon as it passes a size limit (never after).</summary>
internal static class BoundedReader
{
    public static async Task<byte[]> ReadAsync(Stream source, long maxBytes, long? expectedLength, string sourceName, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(expectedLength is long n && n > 0 && n <= maxBytes ? (int)n : 0);
        byte[] chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new MediaTooLargeException(maxBytes, $"{sourceName} is larger than the limit of {maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
