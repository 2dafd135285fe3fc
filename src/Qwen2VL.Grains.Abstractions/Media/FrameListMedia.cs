using System.Buffers.Binary;
using System.Text;
using Qwen2VL.Grains.Abstractions.Chat;

namespace Qwen2VL.Grains.Abstractions.Media;

/// <summary>
/// A video given as a list of frames, kept as one content-addressed media item: the encoded frames in order, each
/// with its length. One item rather than a manifest of frame hashes, so the whole video travels, is stored and is
/// found by one hash like any other media, and the same frames in the same order always make the same hash.
/// Layout: the ASCII header <c>qwen2vl-frames/1\n</c>, a little-endian uint32 frame count, then per frame a
/// little-endian uint32 byte length and the frame's encoded bytes.
/// </summary>
public static class FrameListMedia
{
    /// <summary>The media type that marks a stored frame list.</summary>
    public const string MediaType = "application/vnd.qwen2vl.frame-list";

    private static readonly byte[] Header = Encoding.ASCII.GetBytes("qwen2vl-frames/1\n");

    /// <summary>Whether <paramref name="media"/> is a frame list rather than a video file.</summary>
    public static bool IsFrameList(MediaReference media) =>
        string.Equals(media?.MediaType, MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Packs the encoded frames, in order, into one item.</summary>
    public static byte[] Encode(IReadOnlyList<ReadOnlyMemory<byte>> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0 || frames.Any(f => f.IsEmpty))
        {
            throw new ArgumentException("a frame list needs at least one frame, and no frame may be empty", nameof(frames));
        }

        long length = Header.Length + 4 + frames.Sum(f => 4L + f.Length);
        var bytes = new byte[checked((int)length)];
        Header.CopyTo(bytes, 0);
        int position = Header.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(position), (uint)frames.Count);
        position += 4;
        foreach (var frame in frames)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(position), (uint)frame.Length);
            frame.Span.CopyTo(bytes.AsSpan(position + 4));
            position += 4 + frame.Length;
        }

        return bytes;
    }

    /// <summary>The encoded frames of a packed list, in order (slices of <paramref name="data"/>, not copies).</summary>
    /// <exception cref="FormatException">The bytes are not a well-formed frame list.</exception>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Decode(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        if (span.Length < Header.Length + 4 || !span[..Header.Length].SequenceEqual(Header))
        {
            throw new FormatException($"the {data.Length} bytes do not start with a frame list header");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(span[Header.Length..]);
        int position = Header.Length + 4;
        // Each frame takes at least five bytes, so a count the data cannot hold is refused before allocating.
        if (count == 0 || count > (uint)(span.Length - position) / 5)
        {
            throw new FormatException($"a frame list of {data.Length} bytes cannot hold {count} frames");
        }

        var frames = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < frames.Length; i++)
        {
            if (span.Length - position < 4)
            {
                throw new FormatException($"the frame list ends before the length of frame {i}");
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
            position += 4;
            if (length == 0 || length > (uint)(span.Length - position))
            {
                throw new FormatException($"frame {i} claims {length} bytes; {span.Length - position} are left");
            }

            frames[i] = data.Slice(position, (int)length);
            position += (int)length;
        }

        return position == span.Length
            ? frames
            : throw new FormatException($"{span.Length - position} bytes follow the last of the {count} frames");
    }
}
