using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Model.Tests.Support;

/// <summary>
/// A rewritten copy of the fixture checkpoint in a temporary folder: same config, tensors written as one file or as
/// shards with an index, optionally converted to another dtype, renamed or dropped. Deleted on dispose.
/// </summary>
public sealed class TempCheckpoint : IDisposable
{
    private static readonly Lazy<GoldenTensors> Source = new(() => GoldenTensors.Load(Path.Combine(TestPaths.Checkpoint, "model.safetensors")));

    private TempCheckpoint(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The fixture's tensors, read once.</summary>
    public static GoldenTensors Original => Source.Value;

    /// <summary>
    /// Writes the fixture tensors (after <paramref name="edit"/>) in <paramref name="dtype"/> ("BF16", "F16" or "F32"),
    /// into shards chosen by <paramref name="shardOf"/> (null: a single model.safetensors).
    /// </summary>
    public static TempCheckpoint Create(string dtype = "BF16", Func<string, int>? shardOf = null, Action<Dictionary<string, GoldenTensor>>? edit = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), "qwen2vl-ckpt-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(TestPaths.Checkpoint, "config.json"), Path.Combine(dir, "config.json"));
        var tensors = Original.Names.ToDictionary(n => n, n => Convert(Original[n], dtype), StringComparer.Ordinal);
        edit?.Invoke(tensors);
        if (shardOf is null)
        {
            Write(Path.Combine(dir, "model.safetensors"), tensors);
        }
        else
        {
            var groups = tensors.GroupBy(t => shardOf(t.Key)).OrderBy(g => g.Key).ToList();
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < groups.Count; i++)
            {
                string file = $"model-{i + 1:D5}-of-{groups.Count:D5}.safetensors";
                Write(Path.Combine(dir, file), groups[i].ToDictionary(t => t.Key, t => t.Value));
                foreach (var t in groups[i])
                {
                    weightMap[t.Key] = file;
                }
            }

            var index = new { metadata = new { total_size = tensors.Values.Sum(t => (long)t.Data.Length) }, weight_map = weightMap };
            File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), JsonSerializer.Serialize(index));
        }

        return new TempCheckpoint(dir);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>BF16 → BF16/F32 exactly; BF16 → F16 by rounding each value.</summary>
    private static GoldenTensor Convert(GoldenTensor tensor, string dtype)
    {
        if (tensor.DType != "BF16")
        {
            throw new InvalidOperationException($"fixture tensor is {tensor.DType}, expected BF16");
        }

        if (dtype == "BF16")
        {
            return tensor;
        }

        int count = tensor.Data.Length / 2;
        int size = dtype == "F32" ? 4 : 2;
        var data = new byte[count * size];
        for (int i = 0; i < count; i++)
        {
            float value = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(tensor.Data.AsSpan(2 * i)) << 16);
            if (dtype == "F32")
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), value);
            }
            else
            {
                BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2 * i), (Half)value);
            }
        }

        return new GoldenTensor(dtype, tensor.Shape, data);
    }

    private static void Write(string path, IReadOnlyDictionary<string, GoldenTensor> tensors)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, t) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            header[name] = new { dtype = t.DType, shape = t.Shape, data_offsets = new[] { offset, offset + t.Data.Length } };
            offset += t.Data.Length;
        }

        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, padded);
        stream.Write(length);
        stream.Write(json);
        stream.Write(Enumerable.Repeat((byte)' ', padded - json.Length).ToArray());
        foreach (var (_, t) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            stream.Write(t.Data);
        }
    }
}
