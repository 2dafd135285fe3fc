namespace Qwen2VL.Processing.Images;

/// <summary>How many LLM tokens an image will take, known from its header before any pixel is decoded.</summary>
public static class ImageTokenCost
{
    /// <summary>The grid and token count of an image whose upright size is <paramref name="width"/> × <paramref name="height"/>.</summary>
    /// <exception cref="InvalidInputException">The image would be refused by the processor (too small, too elongated).</exception>
    public static (GridThw Grid, int LlmTokens) Estimate(int width, int height, VisionPreprocessorOptions options,
        ImageSizeRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var grid = ImageSizing.ImageGrid(height, width, options, request);
        return (grid, grid.LlmTokenCount(options.MergeSize));
    }

    /// <summary>The grid and token count of an image from its header (its EXIF orientation taken into account).</summary>
    public static (GridThw Grid, int LlmTokens) Estimate(ImageHeader header, VisionPreprocessorOptions options,
        ImageSizeRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Estimate(header.Width, header.Height, options, request);
    }
}
