namespace Qwen2VL.Processing.Images;

/// <summary>
/// The whole still-image and frame pipeline of the reference <c>Qwen2VLImageProcessor</c>: decode, pick the size
/// (<see cref="ImageSizing"/>), resize with Pillow's bicubic (<see cref="BicubicResampler"/>), rescale, normalise and
/// flatten into patches (<see cref="PatchFlattener"/>). Thread-safe; one instance serves every request.
/// </summary>
public sealed class ImagePreprocessor
{
    private readonly ImageDecoder _decoder;
    private readonly PatchFlattener _flattener;

    /// <summary>Creates a preprocessor for a checkpoint's settings.</summary>
    public ImagePreprocessor(VisionPreprocessorOptions options, ImageDecoderOptions? decoderOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _decoder = new ImageDecoder(decoderOptions);
        _flattener = new PatchFlattener(options);
    }

    /// <summary>The checkpoint's processor settings.</summary>
    public VisionPreprocessorOptions Options { get; }

    /// <summary>The decoder used for encoded images (shared so its limits apply everywhere).</summary>
    public ImageDecoder Decoder => _decoder;

    /// <summary>Decodes an encoded image and preprocesses it.</summary>
    /// <exception cref="InvalidInputException">The data cannot be decoded or the image cannot be resized within the rules.</exception>
    public PatchedPixels PreprocessImage(ReadOnlySpan<byte> encoded, ImageSizeRequest? request = null)
    {
        // Unusable sizes are refused from the header, before paying for the decode.
        var image = _decoder.Decode(encoded, header => ImageSizing.TargetSize(header.Height, header.Width, Options, request));
        return PreprocessImage(image, request);
    }

    /// <summary>Preprocesses a decoded, upright image: one temporal patch of two identical frames.</summary>
    /// <exception cref="InvalidInputException">The image cannot be resized within the rules.</exception>
    public PatchedPixels PreprocessImage(RgbImage image, ImageSizeRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (height, width) = ImageSizing.TargetSize(image.Height, image.Width, Options, request);
        return _flattener.Flatten([BicubicResampler.Resize(image, width, height)]);
    }

    /// <summary>
    /// Preprocesses video frames: all are resized to the size chosen for the first one, and the frame count is padded
    /// to a multiple of the temporal patch size by repeating the last frame; grid t = frames / temporal patch size.
    /// </summary>
    /// <exception cref="InvalidInputException">The frames cannot be resized within the rules.</exception>
    public PatchedPixels PreprocessFrames(IReadOnlyList<RgbImage> frames, ImageSizeRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new InvalidInputException(ImageErrorCodes.NoFrames, "the video has no frames");
        }

        var (height, width) = ImageSizing.TargetSize(frames[0].Height, frames[0].Width, Options, request);
        var resized = new RgbImage[frames.Count];
        for (int i = 0; i < frames.Count; i++)
        {
            // A frame object passed twice stays one object, so the flattener can copy instead of recomputing.
            resized[i] = i > 0 && ReferenceEquals(frames[i], frames[i - 1])
                ? resized[i - 1]
                : BicubicResampler.Resize(frames[i], width, height);
        }

        return _flattener.Flatten(resized);
    }
}
