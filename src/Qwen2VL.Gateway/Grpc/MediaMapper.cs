using Google.Protobuf;
using Qwen2VL.Api.V1;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Gateway.Validation;
using Qwen2VL.Processing.Media;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>
/// Reads the API's <see cref="Media"/> into the URL form the rest of the gateway carries: inline bytes become a
/// data: URL labelled with the type the bytes themselves show, URLs pass as given, frame lists become frame URLs.
/// </summary>
public static class MediaMapper
{
    public static ImagePart ToImage(Media? media, string path)
    {
        if (media is null)
        {
            throw Required(path);
        }

        string url = media.SourceCase switch
        {
            Media.SourceOneofCase.Data => ToDataUrl(media.Data, MediaKind.Image, $"{path}.data"),
            Media.SourceOneofCase.Url => CheckedUrl(media.Url, $"{path}.url"),
            Media.SourceOneofCase.Frames => throw OpenAiException.BadRequest($"{path}.frames: only videos are given as frames", $"{path}.frames"),
            _ => throw OpenAiException.BadRequest($"{path} must set data or url", path, "missing_required_parameter"),
        };
        string? detail = media.Detail switch
        {
            ImageDetail.Unspecified => null,
            ImageDetail.Auto => "auto",
            ImageDetail.Low => "low",
            ImageDetail.High => "high",
            var other => throw OpenAiException.BadRequest($"{path}.detail {(int)other} is not a known ImageDetail", $"{path}.detail"),
        };
        return new ImagePart(url, detail);
    }

    public static VideoPart ToVideo(Media? media, string path, ChatRequestLimits limits)
    {
        if (media is null)
        {
            throw Required(path);
        }

        if (media.Detail != ImageDetail.Unspecified)
        {
            throw OpenAiException.BadRequest($"{path}.detail applies to images only", $"{path}.detail");
        }

        return media.SourceCase switch
        {
            Media.SourceOneofCase.Data => new VideoPart(ToDataUrl(media.Data, MediaKind.Video, $"{path}.data"), null),
            Media.SourceOneofCase.Url => new VideoPart(CheckedUrl(media.Url, $"{path}.url"), null),
            Media.SourceOneofCase.Frames => new VideoPart(null, ToFrameUrls(media.Frames, $"{path}.frames", limits)),
            _ => throw OpenAiException.BadRequest($"{path} must set data, url or frames", path, "missing_required_parameter"),
        };
    }

    private static List<string> ToFrameUrls(Frames frames, string path, ChatRequestLimits limits)
    {
        MediaRules.CheckFrameCount(frames.Frames_.Count, limits, $"{path}.frames");
        var urls = new List<string>(frames.Frames_.Count);
        for (int i = 0; i < frames.Frames_.Count; i++)
        {
            string framePath = $"{path}.frames[{i}]";
            var frame = frames.Frames_[i];
            urls.Add(frame.SourceCase switch
            {
                Media.SourceOneofCase.Data => ToDataUrl(frame.Data, MediaKind.Image, $"{framePath}.data"),
                Media.SourceOneofCase.Url => CheckedUrl(frame.Url, $"{framePath}.url"),
                _ => throw OpenAiException.BadRequest($"{framePath} must be an image given as data or url", framePath),
            });
        }

        return urls;
    }

    private static string CheckedUrl(string url, string path)
    {
        MediaRules.CheckUrl(url, path);
        return url;
    }

    /// <summary>
    /// The bytes decide the label: a client's idea of the type is not asked for, and bytes that are no accepted
    /// image (or video) are refused here rather than deep in the processor.
    /// </summary>
    private static string ToDataUrl(ByteString data, MediaKind expected, string path)
    {
        var bytes = data.Span;
        if (bytes.IsEmpty)
        {
            throw OpenAiException.BadRequest($"{path} is empty", path);
        }

        string? mediaType = MediaSniffer.Detect(bytes);
        if (MediaSniffer.KindOf(mediaType) != expected)
        {
            string accepted = expected == MediaKind.Image
                ? "an image (PNG, JPEG, WebP, GIF or BMP)"
                : "a video (MP4, MOV, WebM, Matroska, AVI, MPEG, FLV, Ogg or ASF)";
            string found = mediaType is null ? MediaSniffer.Describe(bytes) : mediaType;
            throw OpenAiException.BadRequest($"{path} must be {accepted}; found {found}", path, "unsupported_media_type");
        }

        return $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";
    }

    private static OpenAiException Required(string path) =>
        OpenAiException.BadRequest($"{path} is required", path, "missing_required_parameter");
}
