namespace Qwen2VL.Grains.Abstractions.Chat;

/// <summary>What a <see cref="ContentPart"/> carries.</summary>
public enum ContentKind
{
    /// <summary>Plain text.</summary>
    Text = 0,

    /// <summary>One image, by reference into the media store.</summary>
    Image = 1,

    /// <summary>One video, by reference into the media store.</summary>
    Video = 2,
}
