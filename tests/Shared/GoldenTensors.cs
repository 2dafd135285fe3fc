using System.Buffers.Binary;
using System.Text.Json;

namespace Qwen2VL.Tests.Shared;

/// <summary>One tensor read from a golden safetensors file: its dtype name, shape and raw little-endian bytes.</summary>
public sealed record GoldenTensor(string DType, long[] Shape, byte[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public float[] AsFloat32() => DType == "F32"
        ? Cast<float>()
        : throw new InvalidOperationException($"tensor is {DType}, not F32");

    public long[] AsInt64() => DType == "I64"
        ? Cast<long>()
        : throw new InvalidOperationException($"tensor is {DType}, not I64");

    public byte[] AsUInt8() => DType == "U8"
        ? Data
        : throw new InvalidOperationException($"tensor is {DType}, not U8");

    private T[] Cast<T>() where T : struct
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("golden tensors are little-endian");
        }

        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(Data).ToArray();
    }
}

/// <summary>
/// Reads the golden safetensors files of the fixtures (tests only; the model has its own memory-mapped loader).
/// Format: 8-byte little-endian header length, a JSON header mapping names to dtype/shape/data_offsets, raw data.
/// </summary>
public sealed class GoldenTensors
{
    private readonly Dictionary<string, GoldenTensor> _tensors;

    private GoldenTensors(Dictionary<string, GoldenTensor> tensors) => _tensors = tensors;

    public IReadOnlyCollection<string> Names => _tensors.Keys;

    public GoldenTensor this[string name] => _tensors.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"golden tensor '{name}' not found; have: {string.Join(", ", _tensors.Keys.Order())}");

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public static GoldenTensors Load(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        int dataStart = checked(8 + (int)headerLength);
        using var header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        var tensors = new Dictionary<string, GoldenTensor>(StringComparer.Ordinal);
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            string dtype = entry.Value.GetProperty("dtype").GetString()!;
            long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            byte[] data = file.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0])).ToArray();
            tensors[entry.Name] = new GoldenTensor(dtype, shape, data);
        }

        return new GoldenTensors(tensors);
    }

    /// <summary>Loads <c>tensors.safetensors</c> of the named case under <see cref="TestPaths.Cases"/>.</summary>
    public static GoldenTensors ForCase(string caseName) =>
        Load(Path.Combine(TestPaths.Cases, caseName, "tensors.safetensors"));
}
