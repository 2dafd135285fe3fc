using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>The address of a CPU tensor's first element, for kernels that read or write its storage directly.</summary>
internal static unsafe class TensorAddress
{
    /// <summary>
    /// Where <paramref name="tensor"/>'s data starts. Tensor storage is native memory that never moves, so the address
    /// stays valid while the tensor lives.
    /// </summary>
    public static nint Of(Tensor tensor) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
}
