using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// Optional record of the vision tower's intermediate tensors, for checking against reference outputs. The tensors
/// belong to the trace; dispose it when done.
/// </summary>
public sealed class VisionTrace : IDisposable
{
    private readonly List<Tensor> _blockOutputs = new();

    /// <summary>Patch embedding output [N, E].</summary>
    public Tensor? PatchEmbeds { get; private set; }

    /// <summary>Rotary angles [N, hd/2].</summary>
    public Tensor? RotaryAngles { get; private set; }

    /// <summary>Attention block boundaries.</summary>
    public IReadOnlyList<long> CuSeqlens { get; private set; } = Array.Empty<long>();

    /// <summary>Output of each ViT block [N, E].</summary>
    public IReadOnlyList<Tensor> BlockOutputs => _blockOutputs;

    /// <summary>Merger LayerNorm output before the window concat [N, E].</summary>
    public Tensor? MergerLayerNorm { get; private set; }

    internal void RecordInputs(Tensor patchEmbeds, Tensor angles, long[] cuSeqlens)
    {
        PatchEmbeds = Keep(patchEmbeds);
        RotaryAngles = Keep(angles);
        CuSeqlens = cuSeqlens;
    }

    internal void RecordBlock(Tensor output) => _blockOutputs.Add(Keep(output));

    internal void RecordMergerLayerNorm(Tensor normalized) => MergerLayerNorm = Keep(normalized);

    /// <inheritdoc/>
    public void Dispose()
    {
        PatchEmbeds?.Dispose();
        RotaryAngles?.Dispose();
        MergerLayerNorm?.Dispose();
        foreach (var t in _blockOutputs)
        {
            t.Dispose();
        }

        _blockOutputs.Clear();
    }

    private static Tensor Keep(Tensor t) => t.detach().clone().DetachFromDisposeScope();
}
