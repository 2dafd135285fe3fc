using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Abstractions.Sessions;

namespace Qwen2VL.Grains.Media;

/// <summary>Checks shared by the media stores, so both refuse the same inputs with the same messages.</summary>
internal static class MediaKey
{
    public static void ValidateTenant(string tenantId)
    {
        if (!SessionKey.IsValidId(tenantId))
        {
            throw new ArgumentException($"tenant id '{tenantId}' must be 1 to {SessionKey.MaxIdLength} letters, digits, '-', '_' or '.'");
        }
    }

    public static void ValidatePut(string tenantId, ReadOnlyMemory<byte> bytes, string mediaType)
    {
        ValidateTenant(tenantId);
        if (bytes.IsEmpty)
        {
            throw new ArgumentException($"media for tenant '{tenantId}' is empty");
        }

        if (string.IsNullOrWhiteSpace(mediaType) || !mediaType.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"media type '{mediaType}' is not of the form type/subtype");
        }
    }

    /// <summary>Whether the hash can name stored media; malformed hashes are simply not found.</summary>
    public static bool IsLookupable(string contentHash) => MediaHash.IsWellFormed(contentHash);
}
