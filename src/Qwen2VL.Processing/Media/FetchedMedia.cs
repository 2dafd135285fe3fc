namespace Qwen2VL.Processing.Media;

/// <summary>The bytes a media reference resolved to, with the type read from the bytes themselves.</summary>
/// <param name="Data">The complete content, never more than the configured size limit.</param>
/// <param name="MediaType">The detected type, e.g. <c>image/png</c> or <c>video/mp4</c>.</param>
/// <param name="Kind">Image or video.</param>
/// <param name="Source">Where it came from, safe to log: the final URL after redirects, the file path, or a short data-URL summary.</param>
public sealed record FetchedMedia(ReadOnlyMemory<byte> Data, string MediaType, MediaKind Kind, string Source);
