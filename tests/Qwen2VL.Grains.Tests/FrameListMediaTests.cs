using System.Text;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Grains.Abstractions.Media;

namespace Qwen2VL.Grains.Tests;

public sealed class FrameListMediaTests
{
    private static readonly ReadOnlyMemory<byte>[] Frames = [new byte[] { 1, 2, 3 }, new byte[] { 4 }, new byte[] { 5, 6 }];

    [Fact]
    public void EncodeDecode_KeepsEveryFrameInOrder()
    {
        var back = FrameListMedia.Decode(FrameListMedia.Encode(Frames));

        Assert.Equal(Frames.Select(f => f.ToArray()), back.Select(f => f.ToArray()));
    }

    [Fact]
    public void Encode_SameFramesSameOrder_SameHashAndOtherOrderAnother()
    {
        string once = MediaHash.Compute(FrameListMedia.Encode(Frames));
        string again = MediaHash.Compute(FrameListMedia.Encode([.. Frames]));
        string reordered = MediaHash.Compute(FrameListMedia.Encode([Frames[1], Frames[0], Frames[2]]));

        Assert.Equal(once, again);
        Assert.NotEqual(once, reordered);
    }

    [Fact]
    public void Decode_LayoutIsTheDocumentedOne()
    {
        byte[] expected = [.. Encoding.ASCII.GetBytes("qwen2vl-frames/1\n"), 2, 0, 0, 0, 1, 0, 0, 0, 9, 2, 0, 0, 0, 7, 8];

        var frames = FrameListMedia.Decode(expected);

        Assert.Equal([[9], [7, 8]], frames.Select(f => f.ToArray()));
        Assert.Equal(expected, FrameListMedia.Encode([new byte[] { 9 }, new byte[] { 7, 8 }]));
    }

    [Theory]
    [InlineData(0)] // nothing
    [InlineData(10)] // inside the header
    [InlineData(21)] // count, no frames
    [InlineData(26)] // the first frame cut short
    public void Decode_Truncated_IsAFormatException(int length)
    {
        byte[] packed = FrameListMedia.Encode(Frames);

        Assert.Throws<FormatException>(() => FrameListMedia.Decode(packed.AsMemory(0, length)));
    }

    [Fact]
    public void Decode_HugeCountOrTrailingBytes_IsAFormatException()
    {
        byte[] packed = FrameListMedia.Encode(Frames);
        byte[] hugeCount = [.. packed];
        hugeCount[17] = 0xFF;
        hugeCount[20] = 0x7F;

        Assert.Throws<FormatException>(() => FrameListMedia.Decode(hugeCount));
        Assert.Throws<FormatException>(() => FrameListMedia.Decode((byte[])[.. packed, 0]));
        Assert.Throws<FormatException>(() => FrameListMedia.Decode(Encoding.ASCII.GetBytes("not a frame list at all")));
    }

    [Fact]
    public void IsFrameList_ByMediaType()
    {
        Assert.True(FrameListMedia.IsFrameList(new MediaReference(new string('a', 64), FrameListMedia.MediaType)));
        Assert.False(FrameListMedia.IsFrameList(new MediaReference(new string('a', 64), "video/mp4")));
    }
}
