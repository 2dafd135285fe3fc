namespace Qwen2VL.Processing.Media;

/// <summary>What a media reference is expected to hold.</summary>
public enum MediaKind
{
    /// <summary>A still image: PNG, JPEG, WebP, GIF or BMP.</summary>
    Image,

    /// <summary>A video container: MP4/MOV, WebM/Matroska, AVI, MPEG-TS/PS, FLV, Ogg or ASF.</summary>
    Video,
}
