using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Weights;

/// <summary>
/// Streams tensors from safetensors files into already allocated parameters, converting dtype and device with
/// <c>copy_</c>. Data passes through one bounded staging buffer at a time, so loading never holds a second copy of the
/// model. No safetensors reader exists for TorchSharp, and the format is a header plus raw bytes, hence this small one.
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    /// <summary>Largest staging chunk; whole rows are read, so a chunk may exceed this only by one row.</summary>
    public const long ChunkBytes = 64L * 1024 * 1024;

    private readonly Dictionary<string, SafeFileHandle> _handles = new(StringComparer.Ordinal);

    /// <summary>The torch dtype for a safetensors dtype code; only the float formats of released checkpoints are accepted.</summary>
    public static ScalarType ToScalarType(string dtype, string tensorName) => dtype switch
    {
        "BF16" => ScalarType.BFloat16,
        "F16" => ScalarType.Float16,
        "F32" => ScalarType.Float32,
        _ => throw new InvalidDataException($"tensor '{tensorName}' has dtype {dtype}; supported on disk: BF16, F16, F32"),
    };

    /// <summary>Copies <paramref name="entry"/> into <paramref name="destination"/>, whose shape must match exactly.</summary>
    public void ReadInto(SafeTensorEntry entry, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(destination);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; this platform is not");
        }

        if (!entry.Shape.SequenceEqual(destination.shape))
        {
            throw new InvalidDataException($"tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}] in {Path.GetFileName(entry.FilePath)}, the model expects [{string.Join(", ", destination.shape)}]");
        }

        var sourceType = ToScalarType(entry.DType, entry.Name);
        int elementSize = sourceType == ScalarType.Float32 ? 4 : 2;
        if (entry.Length != entry.ElementCount * elementSize)
        {
            throw new InvalidDataException($"tensor '{entry.Name}' holds {entry.Length} bytes, but {entry.DType} [{string.Join(", ", entry.Shape)}] needs {entry.ElementCount * elementSize}");
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // A 0-d tensor is one row of one element.
        long rows = entry.Shape.Length == 0 ? 1 : entry.Shape[0];
        long[] rowShape = entry.Shape.Length == 0 ? Array.Empty<long>() : entry.Shape[1..];
        long rowBytes = rows == 0 ? 0 : entry.Length / rows;
        var target = entry.Shape.Length == 0 ? destination.reshape(1) : destination;
        long rowsPerChunk = rowBytes == 0 ? Math.Max(rows, 1) : Math.Max(1, ChunkBytes / rowBytes);
        var handle = Handle(entry.FilePath);
        for (long row = 0; row < rows; row += rowsPerChunk)
        {
            long count = Math.Min(rowsPerChunk, rows - row);
            using var staging = empty(rowShape.Prepend(count).ToArray(), sourceType, CPU);
            ReadExactly(handle, staging.bytes, entry.Begin + (row * rowBytes), entry);
            target.narrow(0, row, count).copy_(staging);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, SafeTensorEntry entry)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read <= 0)
            {
                throw new EndOfStreamException($"{entry.FilePath} ended at byte {offset} while reading '{entry.Name}'");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    private SafeFileHandle Handle(string path)
    {
        if (!_handles.TryGetValue(path, out var handle))
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            _handles[path] = handle;
        }

        return handle;
    }
}
