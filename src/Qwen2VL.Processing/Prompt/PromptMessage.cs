using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Video;

namespace Qwen2VL.Processing.Prompt;

/// <summary>One conversation message whose media are already fetched (no network I/O happens while building a prompt).</summary>
/// <param name="Role">system, user, assistant (tool results arrive already rendered as user text).</param>
public sealed record PromptMessage(string Role, IReadOnlyList<PromptPart> Parts)
{
    public static PromptMessage Text(string role, string text) => new(role, new PromptPart[] { new PromptText(text) });
}

/// <summary>A piece of a message.</summary>
public abstract record PromptPart;

/// <summary>Text the user (or the assistant, in history) wrote: never parsed for control tokens.</summary>
public sealed record PromptText(string Text) : PromptPart;

/// <summary>An encoded image (PNG, JPEG, WebP, GIF, BMP) and its optional pixel budget.</summary>
public sealed record PromptImage(ReadOnlyMemory<byte> Encoded, ImageSizeRequest? Size = null) : PromptPart;

/// <summary>Sampled video frames (from a file or a frame list).</summary>
public sealed record PromptVideo(SampledVideo Video) : PromptPart;
