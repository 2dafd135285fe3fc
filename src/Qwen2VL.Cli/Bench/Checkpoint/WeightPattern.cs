using System.Buffers.Binary;

namespace Qwen2VL.Cli.Bench.Checkpoint;

/// <summary>
/// A cheap deterministic source of bfloat16 weight bytes. A block of pseudo-random values (uniform, standard deviation
/// 0.02 like the checkpoints' initializer range) is generated once; every tensor is then a window of that block starting
/// at an offset derived from its name, so writing 2.2 billion values costs memory copies, not per-element random draws.
/// The values only need to be finite and varied: this checkpoint is for timing, not for quality.
/// </summary>
internal sealed class WeightPattern
{
    /// <summary>Standard deviation of the generated weights (the released configs' initializer_range).</summary>
    public const float Std = 0.02f;

    // bfloat16 1.0: norm weights are ones, as a freshly initialised model has them.
    private const ushort BFloat16One = 0x3F80;

    private readonly byte[] _block;

    /// <summary>Generates a block of <paramref name="values"/> bfloat16 values (an odd count, so windows never align).</summary>
    public WeightPattern(int values = (8 << 20) + 7)
    {
        _block = new byte[values * 2];
        // xorshift64*: fast and good enough to avoid visible structure in the weights.
        ulong state = 0x9E3779B97F4A7C15UL;
        float scale = Std * MathF.Sqrt(3f) * 2f;
        for (int i = 0; i < values; i++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            ulong r = state * 0x2545F4914F6CDD1DUL;
            float uniform = ((r >> 40) / (float)(1 << 24)) - 0.5f; // [-0.5, 0.5)
            BinaryPrimitives.WriteUInt16LittleEndian(_block.AsSpan(i * 2), ToBFloat16(uniform * scale));
        }
    }

    /// <summary>Writes the bytes of tensor <paramref name="name"/> (<paramref name="elements"/> bfloat16 values) to <paramref name="output"/>.</summary>
    public void Write(Stream output, string name, long[] shape, long elements)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (IsNormWeight(name, shape))
        {
            WriteOnes(output, elements);
            return;
        }

        long remaining = elements * 2;
        int offset = (int)((uint)StableHash(name) % (uint)(_block.Length / 2)) * 2;
        while (remaining > 0)
        {
            int count = (int)Math.Min(remaining, _block.Length - offset);
            output.Write(_block, offset, count);
            remaining -= count;
            offset = 0;
        }
    }

    // One-dimensional weights are the RMSNorm/LayerNorm scales; biases stay random.
    private static bool IsNormWeight(string name, long[] shape) => shape.Length == 1 && name.EndsWith(".weight", StringComparison.Ordinal);

    private static void WriteOnes(Stream output, long elements)
    {
        var ones = new byte[elements * 2];
        for (long i = 0; i < elements; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(ones.AsSpan((int)(i * 2)), BFloat16One);
        }

        output.Write(ones);
    }

    // string.GetHashCode is randomised per process; the checkpoint must be the same in every run.
    private static int StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)hash;
    }

    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        // Round to nearest even on the dropped 16 bits.
        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }
}
