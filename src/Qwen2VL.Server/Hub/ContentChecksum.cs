using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// Checks downloaded bytes against the hub's etag while they stream: for LFS files the etag is the sha256 of the
/// content; for other files it is the git blob id, sha1 over <c>"blob {size}\0"</c> and the content.
/// </summary>
internal sealed partial class ContentChecksum : IDisposable
{
    private readonly IncrementalHash _hash;

    private ContentChecksum(IncrementalHash hash, string expected, string algorithm)
    {
        _hash = hash;
        Expected = expected;
        Algorithm = algorithm;
    }

    /// <summary>The hash the hub announced, lower-case hex.</summary>
    public string Expected { get; }

    /// <summary>"sha256" or "git blob sha1", for messages.</summary>
    public string Algorithm { get; }

    /// <summary>A checksum for an etag, or null when the etag is not a content hash (or the size a git id needs is unknown).</summary>
    public static ContentChecksum? ForEtag(string etag, long? size)
    {
        string expected = etag.ToLowerInvariant();
        if (Sha256Hex().IsMatch(expected))
        {
            return new ContentChecksum(IncrementalHash.CreateHash(HashAlgorithmName.SHA256), expected, "sha256");
        }

        if (Sha1Hex().IsMatch(expected) && size is { } length)
        {
            // sha1 is what git names blobs with; it checks integrity here, not authenticity.
#pragma warning disable CA5350
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning restore CA5350
            hash.AppendData(Encoding.ASCII.GetBytes($"blob {length}\0"));
            return new ContentChecksum(hash, expected, "git blob sha1");
        }

        return null;
    }

    /// <summary>Adds the next bytes of the content.</summary>
    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>Adds the first <paramref name="length"/> bytes of a file (the part kept from an earlier attempt).</summary>
    public async Task AppendFileAsync(string path, long length, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20, useAsync: true);
        byte[] buffer = new byte[1 << 20];
        for (long left = length; left > 0;)
        {
            int read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"{path} ended at byte {length - left}, expected {length} bytes");
            }

            _hash.AppendData(buffer, 0, read);
            left -= read;
        }
    }

    /// <summary>The hash of all bytes added, lower-case hex.</summary>
    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex Sha1Hex();
}
