using System.Text;
using System.Text.Json;

namespace Qwen2VL.Cli.Bench.Checkpoint;

/// <summary>Writes a single-file safetensors checkpoint of bfloat16 tensors, streaming each tensor's bytes.</summary>
internal static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> in order to <paramref name="path"/> with data from <paramref name="pattern"/>.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, long[] Shape)> tensors, WeightPattern pattern)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = Elements(shape) * 2;
            header[name] = new { dtype = "BF16", shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }

        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (json.Length + 7) / 8 * 8;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        file.SetLength(8 + padded + offset);
        file.Write(BitConverter.GetBytes((long)padded));
        file.Write(json);
        for (int i = json.Length; i < padded; i++)
        {
            file.WriteByte((byte)' ');
        }

        foreach (var (name, shape) in tensors)
        {
            pattern.Write(file, name, shape, Elements(shape));
        }
    }

    private static long Elements(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
