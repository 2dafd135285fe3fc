using Qwen2VL.Processing.Media;

namespace Qwen2VL.Processing.Tests.Media;

public class MediaSnifferTests
{
    public static TheoryData<byte[], string?> Samples => new()
    {
        { [0x89, .. "PNG\r\n\u001a\n"u8, 0, 0], "image/png" },
        { [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "image/jpeg" },
        { [.. "GIF89a"u8, 1, 0], "image/gif" },
        { [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBPVP8 "u8], "image/webp" },
        { [.. "BM"u8, 0x36, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0], "image/bmp" },
        { [0, 0, 0, 0x20, .. "ftypisom"u8, 0, 0, 0, 0], "video/mp4" },
        { [0, 0, 0, 0x14, .. "ftypqt  "u8, 0, 0, 0, 0], "video/quicktime" },
        { [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x82, 0x84, .. "webm"u8], "video/webm" },
        { [0x1A, 0x45, 0xDF, 0xA3, 0xA3, 0x42, 0x82, 0x88, .. "matroska"u8], "video/x-matroska" },
        { [.. "RIFF"u8, 0, 0, 0, 0, .. "AVI LIST"u8], "video/x-msvideo" },
        { [.. "FLV"u8, 1, 5], "video/x-flv" },
        { [0, 0, 1, 0xBA, 0x44], "video/mpeg" },
        { [.. "BMW is a car, not a bitmap"u8], null },
        { [.. "<!DOCTYPE html>"u8], null },
        { [], null },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Detect_KnownSignatures_ReturnsTheirType(byte[] data, string? expected)
    {
        Assert.Equal(expected, MediaSniffer.Detect(data));
    }

    [Fact]
    public void Detect_MpegTransportStream_NeedsTwoSyncBytes()
    {
        byte[] ts = new byte[376];
        ts[0] = 0x47;
        ts[188] = 0x47;
        Assert.Equal("video/mp2t", MediaSniffer.Detect(ts));
        ts[188] = 0;
        Assert.Null(MediaSniffer.Detect(ts));
    }
}
