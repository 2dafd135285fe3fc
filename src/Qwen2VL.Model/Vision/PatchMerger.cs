using Qwen2VL.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// Folds each merge×merge window of patches into one LLM token: <c>ln_q</c> per patch, concatenate the window's
/// consecutive patches (the processor orders them so they are a 2×2 window), then <c>mlp.0</c>, exact erf GELU,
/// <c>mlp.2</c>.
/// </summary>
public sealed class PatchMerger : nn.Module
{
    private const double LayerNormEps = 1e-6;
    private readonly LayerNormalization _lnQ;
    private readonly MergerMlp _mlp;
    private readonly int _mergedWidth;

    /// <summary>Creates an uninitialised merger.</summary>
    public PatchMerger(Config.VisionConfig config, ModelPlacement placement)
        : base(nameof(PatchMerger))
    {
        ArgumentNullException.ThrowIfNull(config);
        _mergedWidth = config.EmbedDim * config.MergeUnit;
        _lnQ = new LayerNormalization(config.EmbedDim, LayerNormEps, placement);
        _mlp = new MergerMlp(_mergedWidth, config.HiddenSize, placement);
        register_module("ln_q", _lnQ);
        register_module("mlp", _mlp);
    }

    /// <summary>Merges [N, E] into [N / merge², H]; <paramref name="normalized"/> receives the ln_q output.</summary>
    public Tensor Forward(Tensor hidden, out Tensor normalized)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        normalized = _lnQ.Forward(hidden);
        using var scope = NewDisposeScope();
        return _mlp.Forward(normalized.reshape(-1, _mergedWidth)).MoveToOuterDisposeScope();
    }

    /// <summary>The merger MLP, registered as <c>0</c> and <c>2</c> like the reference's Sequential (1 is the GELU).</summary>
    private sealed class MergerMlp : nn.Module
    {
        private readonly LinearProjection _fc1;
        private readonly LinearProjection _fc2;

        public MergerMlp(int width, int outWidth, ModelPlacement placement)
            : base(nameof(MergerMlp))
        {
            _fc1 = new LinearProjection(width, width, hasBias: true, placement);
            _fc2 = new LinearProjection(width, outWidth, hasBias: true, placement);
            register_module("0", _fc1);
            register_module("2", _fc2);
        }

        public Tensor Forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var activated = nn.functional.gelu(_fc1.Forward(x));
            return _fc2.Forward(activated).MoveToOuterDisposeScope();
        }
    }
}
