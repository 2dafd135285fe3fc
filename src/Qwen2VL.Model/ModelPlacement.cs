using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Qwen2VL.Model;

/// <summary>
/// Where and in which dtype a model's parameters live. The meta device builds the module tree with shapes only,
/// allocating nothing (used to list parameter names and shapes of checkpoints far larger than memory).
/// </summary>
public sealed record ModelPlacement
{
    /// <summary>Creates a placement; the dtype must be float32 or bfloat16.</summary>
    public ModelPlacement(ScalarType dtype, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
        {
            throw new ArgumentException($"model dtype {dtype} is not supported: use Float32 or BFloat16", nameof(dtype));
        }

        DType = dtype;
        Device = device;
    }

    /// <summary>Parameter and activation dtype.</summary>
    public ScalarType DType { get; }

    /// <summary>Device holding parameters and activations.</summary>
    public Device Device { get; }

    /// <summary>float32 on the CPU.</summary>
    public static ModelPlacement CpuFloat32 { get; } = new(ScalarType.Float32, CPU);

    /// <summary>Shapes only: parameters on the meta device, nothing allocated.</summary>
    public static ModelPlacement Meta(ScalarType dtype) => new(dtype, new Device(DeviceType.META, -1));

    /// <summary>Bytes per element of <see cref="DType"/>.</summary>
    public int ElementSize => DType == ScalarType.Float32 ? 4 : 2;

    /// <summary>Whether this placement allocates no storage.</summary>
    public bool IsMeta => Device.type == DeviceType.META;

    /// <summary>
    /// An uninitialised, non-trainable parameter. Weights are always overwritten by the loader, so random
    /// initialisation would only cost time (minutes for the 72B model).
    /// </summary>
    internal Parameter NewParameter(params long[] shape) =>
        new(torch.empty(shape, DType, Device), requires_grad: false);
}
