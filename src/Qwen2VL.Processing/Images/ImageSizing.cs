namespace Qwen2VL.Processing.Images;

/// <summary>Decides the size an image is resized to, from its upright size, the checkpoint settings and the request.</summary>
public static class ImageSizing
{
    /// <summary>
    /// The target (height, width). Without a request this is the processor's <see cref="SmartResize.Processor"/>.
    /// With one, qwen-vl-utils' <see cref="SmartResize.QwenVlUtils"/> picks the size first (using the request's budget,
    /// or the explicit size), and the processor's rule then holds it to the checkpoint's limits, as the two steps do
    /// in the reference pipeline. (The reference resizes twice when the second step changes the size; this resizes
    /// once, straight to the final size.)
    /// </summary>
    /// <exception cref="InvalidInputException">The image or the request cannot be resized within the rules.</exception>
    public static (int Height, int Width) TargetSize(int height, int width, VisionPreprocessorOptions options,
        ImageSizeRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        int factor = options.Factor;
        if (request is null)
        {
            return SmartResize.Processor(height, width, factor, options.MinPixels, options.MaxPixels);
        }

        request.Validate();
        var (h, w) = request.HasExplicitSize
            ? SmartResize.QwenVlUtils(request.ResizedHeight!.Value, request.ResizedWidth!.Value, factor,
                options.MinPixels, options.MaxPixels)
            : SmartResize.QwenVlUtils(height, width, factor,
                request.MinPixels ?? options.MinPixels, request.MaxPixels ?? options.MaxPixels);
        return SmartResize.Processor(h, w, factor, options.MinPixels, options.MaxPixels);
    }

    /// <summary>The patch grid of a still image of the given upright size.</summary>
    public static GridThw ImageGrid(int height, int width, VisionPreprocessorOptions options, ImageSizeRequest? request = null)
    {
        var (h, w) = TargetSize(height, width, options, request);
        return new GridThw(1, h / options.PatchSize, w / options.PatchSize);
    }
}
