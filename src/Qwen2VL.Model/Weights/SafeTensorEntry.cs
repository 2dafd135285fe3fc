namespace Qwen2VL.Model.Weights;

/// <summary>One tensor of a safetensors file: its dtype code, shape, and absolute byte range in <see cref="FilePath"/>.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">The safetensors dtype code (BF16, F16, F32, ...).</param>
/// <param name="Shape">The shape.</param>
/// <param name="Begin">Absolute offset of the first byte in the file.</param>
/// <param name="Length">Byte length.</param>
/// <param name="FilePath">The file holding the tensor.</param>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long Length, string FilePath)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
