using Qwen2VL.Tests.Shared;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Tests.Support;

/// <summary>Turns golden tensors into torch tensors.</summary>
public static class Golden
{
    /// <summary>A float32 or int64 tensor with the golden's shape.</summary>
    public static Tensor ToTensor(GoldenTensor golden) => golden.DType switch
    {
        "F32" => tensor(golden.AsFloat32(), golden.Shape),
        "I64" => tensor(golden.AsInt64(), golden.Shape),
        _ => throw new NotSupportedException($"golden dtype {golden.DType}"),
    };
}
