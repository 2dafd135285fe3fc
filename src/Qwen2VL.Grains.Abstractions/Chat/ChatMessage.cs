using System.Runtime.Serialization;

namespace Qwen2VL.Grains.Abstractions.Chat;

/// <summary>One message of a conversation, as stored in a session's history and sent to the workers.</summary>
/// <param name="Role">Who wrote it.</param>
/// <param name="Content">Its parts, in order.</param>
/// <param name="ToolCallId">For <see cref="ChatRole.Tool"/> messages: the id of the tool call this answers.</param>
[GenerateSerializer, Immutable]
public sealed record ChatMessage(
    [property: Id(0)] ChatRole Role,
    IReadOnlyList<ContentPart> Content,
    [property: Id(2)] string? ToolCallId = null)
{
    /// <summary>Its parts, in order (copied to an array, so stored JSON never names a compiler-made list type).</summary>
    [Id(1)] public IReadOnlyList<ContentPart> Content { get; init; } = Content?.ToArray() ?? throw new ArgumentNullException(nameof(Content));

    /// <summary>A message made of one text part.</summary>
    public static ChatMessage FromText(ChatRole role, string text) => new(role, [ContentPart.FromText(text)]);

    /// <summary>The text parts joined, media left out.</summary>
    [IgnoreDataMember]
    public string Text => string.Concat(Content.Where(p => p.Kind == ContentKind.Text).Select(p => p.Text));

    /// <summary>The media this message refers to, in order.</summary>
    [IgnoreDataMember]
    public IEnumerable<MediaReference> Media => Content.Where(p => p.IsMedia && p.Media is not null).Select(p => p.Media!);
}
