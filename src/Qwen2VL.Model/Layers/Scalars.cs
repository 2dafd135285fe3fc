using TorchSharp;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// Fresh scalars for tensor arithmetic. Rules learnt the hard way: never cache a Scalar in a field (one created
/// inside a dispose scope, for example while a model loads, can be released with that scope and read afterwards),
/// and keep a local one alive (<see cref="GC.KeepAlive(object)"/>) until the native call that reads it returned —
/// an unreferenced temporary may otherwise be finalized during the call. Both showed up as rare "toFloat" failures.
/// </summary>
public static class Scalars
{
    public static Scalar Zero() => 0.0.ToScalar();

    public static Scalar ZeroInteger() => 0L.ToScalar();

    public static Scalar OneInteger() => 1L.ToScalar();

    public static Scalar NegativeInfinity() => double.NegativeInfinity.ToScalar();

    public static Scalar JustBelowOne() => (1 - 1e-12).ToScalar();
}
