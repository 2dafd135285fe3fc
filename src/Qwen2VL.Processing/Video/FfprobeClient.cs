using System.Globalization;
using System.Text.Json;

namespace Qwen2VL.Processing.Video;

/// <summary>Reads a video's stream facts with ffprobe's JSON output.</summary>
internal sealed class FfprobeClient(VideoLoaderOptions options)
{
    public async Task<VideoProbeResult> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        using var json = await RunAsync(path,
            ["-show_entries",
             "stream=index,codec_name,width,height,nb_frames,avg_frame_rate,r_frame_rate,duration:stream_tags=rotate:stream_side_data=rotation:stream_disposition=attached_pic:format=duration,format_name"],
            cancellationToken).ConfigureAwait(false);
        var root = json.RootElement;
        string formatName = root.TryGetProperty("format", out var format) ? GetString(format, "format_name") ?? "" : "";
        var stream = FirstMovingVideoStream(root) ?? throw new InvalidVideoException(VideoErrorCodes.NoVideoStream,
            $"the {(formatName.Length > 0 ? formatName : "media")} file has no video stream");

        int index = stream.GetProperty("index").GetInt32();
        int width = GetInt(stream, "width") ?? 0;
        int height = GetInt(stream, "height") ?? 0;
        if (width <= 0 || height <= 0)
        {
            throw new InvalidVideoException(VideoErrorCodes.InvalidVideo, $"the video stream reports a picture size of {width}×{height}");
        }

        double fps = ParseRate(GetString(stream, "avg_frame_rate")) is > 0 and var avg ? avg : ParseRate(GetString(stream, "r_frame_rate"));
        double duration = ParseDouble(GetString(stream, "duration"))
            ?? (format.ValueKind == JsonValueKind.Object ? ParseDouble(GetString(format, "duration")) : null)
            ?? 0;
        int frames = ParseInt(GetString(stream, "nb_frames")) ?? 0;
        if (frames <= 0)
        {
            // Matroska/WebM and streams often omit the count; counting packets demuxes the file without decoding it.
            frames = await CountPacketsAsync(path, index, cancellationToken).ConfigureAwait(false);
        }

        if (!(fps > 0) && duration > 0 && frames > 0)
        {
            fps = frames / duration;
        }

        return new VideoProbeResult(index, GetString(stream, "codec_name") ?? "unknown", formatName, width, height,
            ReadRotation(stream), frames, fps, duration);
    }

    private async Task<int> CountPacketsAsync(string path, int streamIndex, CancellationToken cancellationToken)
    {
        using var json = await RunAsync(path,
            ["-select_streams", streamIndex.ToString(CultureInfo.InvariantCulture), "-count_packets", "-show_entries", "stream=nb_read_packets"],
            cancellationToken).ConfigureAwait(false);
        foreach (var stream in Streams(json.RootElement))
        {
            return ParseInt(GetString(stream, "nb_read_packets")) ?? 0;
        }

        return 0;
    }

    private async Task<JsonDocument> RunAsync(string path, string[] query, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "-v", "error", "-protocol_whitelist", "file", "-format_whitelist", options.AllowedFormats,
            .. query, "-of", "json", FfmpegInput.FileUrl(path),
        ];
        using var process = ToolProcess.Start(options.FfprobePath, arguments, cancellationToken);
        using var output = new MemoryStream();
        await process.Output.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        int exitCode = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw FfmpegInput.Classify(process.StderrTail(), "ffprobe", exitCode);
        }

        output.Position = 0;
        try
        {
            return await JsonDocument.ParseAsync(output, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"ffprobe printed output that is not JSON: {ex.Message}", ex);
        }
    }

    private static JsonElement? FirstMovingVideoStream(JsonElement root)
    {
        foreach (var stream in Streams(root))
        {
            // Cover art in audio files is a one-picture "video" stream flagged attached_pic.
            bool attachedPicture = stream.TryGetProperty("disposition", out var disposition)
                && GetInt(disposition, "attached_pic") == 1;
            if (!attachedPicture && stream.TryGetProperty("width", out _))
            {
                return stream;
            }
        }

        return null;
    }

    private static IEnumerable<JsonElement> Streams(JsonElement root) =>
        root.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array
            ? streams.EnumerateArray()
            : [];

    private static int ReadRotation(JsonElement stream)
    {
        double? rotation = null;
        if (stream.TryGetProperty("side_data_list", out var sideData) && sideData.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in sideData.EnumerateArray())
            {
                if (entry.TryGetProperty("rotation", out var value) && value.TryGetDouble(out double degrees))
                {
                    rotation = degrees;
                }
            }
        }

        if (rotation is null && stream.TryGetProperty("tags", out var tags))
        {
            rotation = ParseDouble(GetString(tags, "rotate"));
        }

        int normalised = (int)Math.Round(rotation ?? 0) % 360;
        return normalised < 0 ? normalised + 360 : normalised;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static int? GetInt(JsonElement element, string name) => ParseInt(GetString(element, name));

    private static int? ParseInt(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

    private static double? ParseDouble(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    /// <summary>ffprobe writes rates as "num/den"; "0/0" means unknown.</summary>
    private static double ParseRate(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return ParseDouble(text) ?? 0;
        }

        double? numerator = ParseDouble(text[..slash]);
        double? denominator = ParseDouble(text[(slash + 1)..]);
        return numerator is double n && denominator is double d && d != 0 ? n / d : 0;
    }
}
