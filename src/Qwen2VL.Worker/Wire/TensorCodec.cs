using Google.Protobuf;
using Qwen2VL.Worker.V1;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Worker.Wire;

/// <summary>
/// Tensors on the wire: raw little-endian bytes with dtype and shape, nothing converted (bf16 stays bf16), so what a
/// stage receives is bit for bit what the previous stage computed.
/// </summary>
public static class TensorCodec
{
    /// <summary>Copies <paramref name="tensor"/> (any device) into a message.</summary>
    public static TensorProto ToProto(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        EnsureLittleEndian();
        var dtype = ToWire(tensor.dtype);
        using var cpu = tensor.device_type == DeviceType.CPU ? tensor.alias() : tensor.cpu();
        using var contiguous = cpu.contiguous();
        var proto = new TensorProto { Dtype = dtype, Data = ByteString.CopyFrom(contiguous.bytes) };
        proto.Shape.AddRange(tensor.shape);
        return proto;
    }

    /// <summary>Builds a tensor on <paramref name="device"/> from a message; the caller owns it.</summary>
    /// <exception cref="InvalidDataException">The dtype is unknown or the bytes do not fit the shape.</exception>
    public static Tensor ToTensor(TensorProto proto, Device device)
    {
        ArgumentNullException.ThrowIfNull(proto);
        EnsureLittleEndian();
        var dtype = FromWire(proto.Dtype);
        long[] shape = proto.Shape.ToArray();
        if (shape.Any(d => d < 0))
        {
            throw new InvalidDataException($"tensor shape [{string.Join(", ", shape)}] has a negative dimension");
        }

        long expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype);
        if (expected != proto.Data.Length)
        {
            throw new InvalidDataException($"a {proto.Dtype} tensor of shape [{string.Join(", ", shape)}] needs {expected} bytes, the message holds {proto.Data.Length}");
        }

        var cpu = empty(shape, dtype, CPU);
        proto.Data.Span.CopyTo(cpu.bytes);
        if (device.type == DeviceType.CPU)
        {
            return cpu;
        }

        using (cpu)
        {
            return cpu.to(device);
        }
    }

    private static DType ToWire(ScalarType type) => type switch
    {
        ScalarType.Float32 => DType.Float32,
        ScalarType.BFloat16 => DType.Bfloat16,
        ScalarType.Int64 => DType.Int64,
        _ => throw new ArgumentException($"dtype {type} has no wire encoding: float32, bfloat16 and int64 travel"),
    };

    private static ScalarType FromWire(DType type) => type switch
    {
        DType.Float32 => ScalarType.Float32,
        DType.Bfloat16 => ScalarType.BFloat16,
        DType.Int64 => ScalarType.Int64,
        _ => throw new InvalidDataException($"tensor dtype {type} ({(int)type}) is not supported"),
    };

    private static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.BFloat16 => 2,
        ScalarType.Float32 => 4,
        _ => 8,
    };

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("tensors travel as little-endian bytes; this machine is big-endian");
        }
    }
}
