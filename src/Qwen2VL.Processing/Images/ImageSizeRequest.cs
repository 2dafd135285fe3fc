namespace Qwen2VL.Processing.Images;

/// <summary>
/// Per-request size settings, as qwen-vl-utils reads them from a message's image entry: either a pixel budget
/// (<c>min_pixels</c>/<c>max_pixels</c>) or an explicit size (<c>resized_height</c>/<c>resized_width</c>, both or
/// neither). Whatever is chosen is still held to the checkpoint's limits afterwards, as the processor would.
/// </summary>
public sealed record ImageSizeRequest
{
    /// <summary>Smallest pixel count for this image; the checkpoint's when null.</summary>
    public long? MinPixels { get; init; }

    /// <summary>Largest pixel count for this image; the checkpoint's when null.</summary>
    public long? MaxPixels { get; init; }

    /// <summary>Requested height in pixels (rounded to the patch factor); needs <see cref="ResizedWidth"/>.</summary>
    public int? ResizedHeight { get; init; }

    /// <summary>Requested width in pixels (rounded to the patch factor); needs <see cref="ResizedHeight"/>.</summary>
    public int? ResizedWidth { get; init; }

    /// <summary>Whether an explicit size was requested.</summary>
    public bool HasExplicitSize => ResizedHeight is not null;

    /// <summary>Throws <see cref="InvalidInputException"/> when the settings contradict each other or are out of range.</summary>
    public void Validate()
    {
        if (ResizedHeight is null != ResizedWidth is null)
        {
            throw Invalid($"resized_height ({Show(ResizedHeight)}) and resized_width ({Show(ResizedWidth)}) must be given together");
        }

        if (ResizedHeight <= 0 || ResizedWidth <= 0)
        {
            throw Invalid($"resized_height {ResizedHeight} and resized_width {ResizedWidth} must be positive");
        }

        if (MinPixels <= 0 || MaxPixels <= 0)
        {
            throw Invalid($"min_pixels ({Show(MinPixels)}) and max_pixels ({Show(MaxPixels)}) must be positive");
        }

        if (MinPixels > MaxPixels)
        {
            throw Invalid($"min_pixels {MinPixels} is larger than max_pixels {MaxPixels}");
        }
    }

    private static string Show<T>(T? value) where T : struct => value?.ToString() ?? "not set";

    private static InvalidInputException Invalid(string message) =>
        new(ImageErrorCodes.InvalidSizeRequest, message);
}
