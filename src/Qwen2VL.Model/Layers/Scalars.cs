using TorchSharp;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// Scalars that live as long as the process. An implicit conversion (<c>tensor * 2.0</c>) makes a temporary native
/// Scalar that the GC may finalize while LibTorch is still reading it; hot paths use these instead.
/// </summary>
public static class Scalars
{
    public static readonly Scalar Zero = 0.0.ToScalar();
    public static readonly Scalar One = 1.0.ToScalar();
    public static readonly Scalar ZeroInteger = 0L.ToScalar();
    public static readonly Scalar OneInteger = 1L.ToScalar();
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
    public static readonly Scalar JustBelowOne = (1 - 1e-12).ToScalar();
}
