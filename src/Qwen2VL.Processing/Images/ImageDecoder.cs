using SkiaSharp;

namespace Qwen2VL.Processing.Images;

/// <summary>
/// Turns PNG, JPEG, WebP, GIF (first frame) and BMP bytes into upright 8-bit RGB, the way the reference pipeline
/// sees them: alpha is dropped, not composited; grey is replicated to three channels; embedded colour profiles are
/// not applied (Pillow ignores them too). The header is read first and images over the pixel limit are refused
/// before any pixel memory is allocated.
/// </summary>
public sealed class ImageDecoder
{
    private readonly ImageDecoderOptions _options;

    /// <summary>Creates a decoder with the given limits (defaults when null).</summary>
    public ImageDecoder(ImageDecoderOptions? options = null) => _options = options ?? new ImageDecoderOptions();

    /// <summary>Reads format, stored size and EXIF orientation from the header without decoding pixels.</summary>
    /// <exception cref="InvalidInputException">The data is empty, truncated, corrupt or in an unsupported format.</exception>
    public ImageHeader ReadHeader(ReadOnlySpan<byte> data)
    {
        using var codec = OpenCodec(data, out var header);
        return header;
    }

    /// <summary>Decodes the image to upright RGB.</summary>
    /// <param name="data">The encoded image.</param>
    /// <param name="checkHeader">
    /// Called with the header before any pixel memory is allocated, so callers can refuse an image by its size
    /// (for example one the processor cannot resize) without paying for the decode.
    /// </param>
    /// <exception cref="InvalidInputException">
    /// The data is empty, truncated, corrupt, in an unsupported format, or announces more pixels than allowed.
    /// </exception>
    public RgbImage Decode(ReadOnlySpan<byte> data, Action<ImageHeader>? checkHeader = null)
    {
        using var codec = OpenCodec(data, out var header);
        if (header.PixelCount > _options.MaxPixels)
        {
            throw new InvalidInputException(ImageErrorCodes.TooLarge,
                $"image is {header.StoredWidth}×{header.StoredHeight} = {header.PixelCount} pixels; the limit is {_options.MaxPixels}");
        }

        checkHeader?.Invoke(header);

        int width = header.StoredWidth;
        int height = header.StoredHeight;
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        byte[] rgba = GC.AllocateUninitializedArray<byte>(checked(width * height * 4));
        var result = codec.GetPixels(info, rgba);

        switch (result)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput:
                throw new InvalidInputException(ImageErrorCodes.Truncated,
                    $"{header.Format} image of {width}×{height} pixels ends early ({data.Length} bytes); the file is truncated");
            default:
                throw new InvalidInputException(ImageErrorCodes.Corrupt,
                    $"{header.Format} image of {width}×{height} pixels ({data.Length} bytes) cannot be decoded: {result}");
        }

        var image = new RgbImage(width, height, PixelConversions.RgbaToRgb(rgba, width * height));
        return _options.ApplyExifOrientation ? OrientationTransform.Apply(image, header.Orientation) : image;
    }

    private static SKCodec OpenCodec(ReadOnlySpan<byte> data, out ImageHeader header)
    {
        if (data.IsEmpty)
        {
            throw new InvalidInputException(ImageErrorCodes.UnknownFormat, "image data is empty");
        }

        var signature = ImageSignature.Detect(data) ?? throw UnknownFormat(data);

        // The codec owns the stream once created; it is only disposed here when no codec took it.
        var stream = new SKMemoryStream(SKData.CreateCopy(data));
        var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
        {
            stream.Dispose();
            throw result switch
            {
                SKCodecResult.IncompleteInput => new InvalidInputException(ImageErrorCodes.Truncated,
                    $"{signature} header is incomplete ({data.Length} bytes); the file is truncated"),
                _ => new InvalidInputException(ImageErrorCodes.Corrupt,
                    $"{signature} header of {data.Length} bytes cannot be read: {result}"),
            };
        }

        var format = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Png => ImageFormat.Png,
            SKEncodedImageFormat.Jpeg => ImageFormat.Jpeg,
            SKEncodedImageFormat.Webp => ImageFormat.WebP,
            SKEncodedImageFormat.Gif => ImageFormat.Gif,
            SKEncodedImageFormat.Bmp => ImageFormat.Bmp,
            _ => (ImageFormat?)null,
        };
        if (format != signature)
        {
            var encoded = codec.EncodedFormat;
            codec.Dispose();
            throw new InvalidInputException(ImageErrorCodes.Corrupt,
                $"data starts like {signature} but decodes as {encoded}");
        }

        var origin = codec.EncodedOrigin;
        var orientation = origin is >= SKEncodedOrigin.TopLeft and <= SKEncodedOrigin.LeftBottom
            ? (ImageOrientation)(int)origin
            : ImageOrientation.TopLeft;
        header = new ImageHeader(signature, codec.Info.Width, codec.Info.Height, orientation);
        return codec;
    }

    private static InvalidInputException UnknownFormat(ReadOnlySpan<byte> data)
    {
        string start = Convert.ToHexString(data[..Math.Min(8, data.Length)]);
        return new InvalidInputException(ImageErrorCodes.UnknownFormat,
            $"data of {data.Length} bytes starting with 0x{start} is not a PNG, JPEG, WebP, GIF or BMP image");
    }
}
