using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Processing;
using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Video;

namespace Qwen2VL.Server.Worker;

/// <summary>
/// Builds a video from a stored frame list (<see cref="FrameListMedia"/>): every frame is decoded as an image and the
/// list becomes a video as qwen-vl-utils makes one from frames (<see cref="VideoLoader.FromFrames"/>): all frames are
/// used, an odd count is padded, the first frame decides the size, and fps only sets the timing metadata.
/// </summary>
public sealed class FrameListLoader
{
    /// <summary>
    /// The most pixels the frames of one list may hold together: as many as the largest single image the decoder
    /// accepts, since the decoded frames are all kept until the prompt is built.
    /// </summary>
    public const long MaxTotalPixels = ImageDecoderOptions.DefaultMaxPixels;

    private readonly ImageDecoder _decoder;

    public FrameListLoader(ImageDecoder decoder)
    {
        _decoder = decoder;
    }

    /// <summary>Decodes the frames packed in <paramref name="data"/> and samples them as a video.</summary>
    /// <exception cref="InvalidVideoException">The list is malformed or too large.</exception>
    /// <exception cref="InvalidInputException">A frame is not a usable image (the message names the frame).</exception>
    public SampledVideo Load(ReadOnlyMemory<byte> data, VideoSamplingRequest? request, VideoDefaults defaults)
    {
        IReadOnlyList<ReadOnlyMemory<byte>> encoded;
        try
        {
            encoded = FrameListMedia.Decode(data);
        }
        catch (FormatException e)
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidFrames, $"the stored frame list is malformed: {e.Message}", e);
        }

        long pixels = 0;
        for (int i = 0; i < encoded.Count; i++)
        {
            // Headers first: an oversized list is refused before any frame is decoded.
            pixels += Frame(i, () => _decoder.ReadHeader(encoded[i].Span)).PixelCount;
        }

        if (pixels > MaxTotalPixels)
        {
            throw new InvalidVideoException(VideoErrorCodes.TooLarge,
                $"the {encoded.Count} frames hold {pixels} pixels together; a video given as frames may hold at most {MaxTotalPixels}");
        }

        var frames = new RgbImage[encoded.Count];
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i] = Frame(i, () => _decoder.Decode(encoded[i].Span));
        }

        return VideoLoader.FromFrames(frames, request, defaults);
    }

    private static T Frame<T>(int index, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidInputException e)
        {
            // The image's own code (corrupt, unsupported, too large) stays; the message says which frame.
            throw new InvalidInputException(e.Code, $"frame {index} of the video: {e.Message}", e);
        }
    }
}
