using System.Security.Cryptography;

namespace Qwen2VL.Grains.Abstractions.Media;

/// <summary>The content hash media is stored under: lower-case hex SHA-256 of the encoded bytes.</summary>
public static class MediaHash
{
    /// <summary>Hex characters in a hash.</summary>
    public const int Length = 64;

    /// <summary>Hashes <paramref name="bytes"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Whether <paramref name="hash"/> looks like a hash this class makes.</summary>
    public static bool IsWellFormed(string? hash) =>
        hash is { Length: Length } && hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
