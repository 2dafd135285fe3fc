using Qwen2VL.Gateway.Backend;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Processing;
using Qwen2VL.Processing.Media;

namespace Qwen2VL.Server.Frontend;

/// <summary>
/// Fetches the frames of a video given as a list of frame URLs, each under the media fetcher's rules (schemes,
/// address policy, size, type: every frame must be an image), and packs them in order as one
/// <see cref="FrameListMedia"/> item. The frames together may not exceed the fetcher's size limit for one medium,
/// the same bound a video file has.
/// </summary>
public sealed class FrameListFetcher
{
    /// <summary>Frames fetched at once: enough to hide latency, few enough not to flood one origin.</summary>
    private const int Parallelism = 4;

    private readonly MediaFetcher _fetcher;

    public FrameListFetcher(MediaFetcher fetcher)
    {
        _fetcher = fetcher;
    }

    /// <summary>The packed frames of <paramref name="urls"/>, in order.</summary>
    /// <exception cref="ChatBackendException">A frame cannot be fetched or is not an image, or the frames are too large together (400).</exception>
    public async Task<byte[]> FetchAsync(IReadOnlyList<string> urls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var frames = new ReadOnlyMemory<byte>[urls.Count];
        long total = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, urls.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                FetchedMedia fetched;
                try
                {
                    fetched = await _fetcher.FetchAsync(urls[index], MediaKind.Image, token).ConfigureAwait(false);
                }
                catch (InvalidInputException e)
                {
                    throw new ChatBackendException(ChatFailure.InvalidRequest, $"frame {index} of the video: {e.Message}", e.Code, "messages");
                }

                if (Interlocked.Add(ref total, fetched.Data.Length) > _fetcher.MaxBytes)
                {
                    throw new ChatBackendException(ChatFailure.InvalidRequest,
                        $"the {urls.Count} frames of the video hold more than {_fetcher.MaxBytes} bytes together, the limit for one video",
                        MediaErrorCodes.TooLarge, "messages");
                }

                frames[index] = fetched.Data;
            }).ConfigureAwait(false);
        return FrameListMedia.Encode(frames);
    }
}
