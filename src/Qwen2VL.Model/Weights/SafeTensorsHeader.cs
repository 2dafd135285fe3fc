using System.Buffers.Binary;
using System.Text.Json;

namespace Qwen2VL.Model.Weights;

/// <summary>
/// Reads the header of a safetensors file: an 8-byte little-endian length, then a JSON object mapping tensor names to
/// dtype, shape and data_offsets (relative to the end of the header). Only the header is read; the tensor data is
/// streamed later by <see cref="CheckpointReader"/>.
/// </summary>
public static class SafeTensorsHeader
{
    // A header is a few hundred kilobytes even for the 72B shards; anything larger means a corrupt or foreign file.
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Lists the tensors of <paramref name="path"/>, validating that every byte range lies inside the file.</summary>
    public static IReadOnlyDictionary<string, SafeTensorEntry> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length < 8)
        {
            throw new InvalidDataException($"{path}: {stream.Length} bytes is too short for a safetensors file");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        long fileLength = stream.Length;
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
        {
            throw new InvalidDataException($"{path}: header length {headerLength} is invalid for a file of {fileLength} bytes");
        }

        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + headerLength;
        var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        using var json = JsonDocument.Parse(header);
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                continue;
            }

            string dtype = property.Value.GetProperty("dtype").GetString() ?? "";
            long[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > fileLength)
            {
                throw new InvalidDataException($"{path}: tensor '{property.Name}' has data_offsets [{string.Join(", ", offsets)}] outside the {fileLength - dataStart} data bytes");
            }

            entries[property.Name] = new SafeTensorEntry(property.Name, dtype, shape, dataStart + offsets[0], offsets[1] - offsets[0], path);
        }

        return entries;
    }
}
