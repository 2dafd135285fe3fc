using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Grains.Abstractions.Media;

/// <summary>Media bytes read back from the store.</summary>
/// <param name="Reference">Hash and media type.</param>
/// <param name="Bytes">The encoded bytes, as stored.</param>
public sealed record StoredMedia(MediaReference Reference, ReadOnlyMemory<byte> Bytes);
