using System.Runtime.Serialization;

namespace Qwen2VL.Grains.Abstractions.Chat;

/// <summary>
/// One piece of a message: text, an image or a video. A single record with a <see cref="Kind"/> rather than a class
/// hierarchy, so stored histories stay plain JSON that any reader can parse.
/// </summary>
/// <param name="Kind">Which of the other members is set.</param>
/// <param name="Text">The text, for <see cref="ContentKind.Text"/>.</param>
/// <param name="Media">The media reference, for <see cref="ContentKind.Image"/> and <see cref="ContentKind.Video"/>.</param>
/// <param name="Options">
/// How the media is processed (pixel budget, frame sampling); null for text, and for media processed with the
/// defaults (histories stored before options existed read back as null).
/// </param>
[GenerateSerializer, Immutable]
public sealed record ContentPart(
    [property: Id(0)] ContentKind Kind,
    [property: Id(1)] string? Text,
    [property: Id(2)] MediaReference? Media,
    [property: Id(3)] MediaOptions? Options = null)
{
    /// <summary>Whether this part refers to media.</summary>
    [IgnoreDataMember]
    public bool IsMedia => Kind is ContentKind.Image or ContentKind.Video;

    /// <summary>A text part.</summary>
    public static ContentPart FromText(string text) => new(ContentKind.Text, text, null);

    /// <summary>An image part, processed with <paramref name="options"/> (empty options are dropped).</summary>
    public static ContentPart FromImage(MediaReference media, MediaOptions? options = null) =>
        new(ContentKind.Image, null, media, options is { IsEmpty: false } ? options : null);

    /// <summary>A video part, processed with <paramref name="options"/> (empty options are dropped).</summary>
    public static ContentPart FromVideo(MediaReference media, MediaOptions? options = null) =>
        new(ContentKind.Video, null, media, options is { IsEmpty: false } ? options : null);
}
