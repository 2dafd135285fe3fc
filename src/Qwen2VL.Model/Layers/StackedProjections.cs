using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// Projections of the same input (q, k, v; gate, up) whose weights [out_i, in] lie one after another in one buffer
/// [Σ out_i, in], so one product computes them all. A batched decode step pays a fixed cost per LibTorch call (and,
/// with several threads, a synchronisation that stalls whenever another process holds a core), so one call per group
/// beats one per projection. Each part is still a <see cref="LinearProjection"/> for its owner to register under its
/// checkpoint name, with parameters that are views of the shared buffers: the loader fills the stack in place and no
/// weight is held twice.
/// </summary>
public sealed class StackedProjections : IDisposable
{
    private readonly Tensor _weight;
    private readonly Tensor? _bias;
    private readonly long[] _widths;

    /// <summary>Allocates the stacked buffers (uninitialised) and the parts viewing them.</summary>
    public StackedProjections(int inFeatures, IReadOnlyList<int> outFeatures, bool hasBias, ModelPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(outFeatures);
        ArgumentNullException.ThrowIfNull(placement);
        _widths = outFeatures.Select(n => (long)n).ToArray();
        long total = _widths.Sum();
        // The buffers outlive any dispose scope the model happens to be built in, like the parameters viewing them.
        _weight = empty(new long[] { total, inFeatures }, placement.DType, placement.Device).DetachFromDisposeScope();
        _bias = hasBias ? empty(new long[] { total }, placement.DType, placement.Device).DetachFromDisposeScope() : null;
        var parts = new LinearProjection[_widths.Length];
        long start = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = new LinearProjection(_weight.narrow(0, start, _widths[i]), _bias?.narrow(0, start, _widths[i]));
            start += _widths[i];
        }

        Parts = parts;
    }

    /// <summary>One projection per output width, in order; their parameters view the stacked buffers.</summary>
    public IReadOnlyList<LinearProjection> Parts { get; }

    /// <summary>
    /// Whether <see cref="Forward"/> runs one product over the stack (default) or one per part. A process-wide switch
    /// so benchmarks can compare both side by side in one run.
    /// </summary>
    public static bool Stacked { get; set; } = true;

    /// <summary>
    /// Applies every part to a decoder step's flat batch [T, in] whose first <paramref name="decodeRows"/> rows are
    /// decode tokens (<see cref="LinearProjection.ApplyToStep"/>); returns [T, out_i] per part (views of one product).
    /// </summary>
    public Tensor[] Forward(Tensor input, int decodeRows)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Stacked)
        {
            return Parts.Select(p => p.Forward(input, decodeRows)).ToArray();
        }

        var all = LinearProjection.ApplyToStep(input, _weight, _bias, decodeRows);
        var outputs = new Tensor[_widths.Length];
        long start = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = all.narrow(-1, start, _widths[i]);
            start += _widths[i];
        }

        return outputs;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _weight.Dispose();
        _bias?.Dispose();
    }
}
