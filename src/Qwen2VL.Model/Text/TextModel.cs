using Qwen2VL.Model.Config;
using Qwen2VL.Model.Layers;
using Qwen2VL.Model.Stages;
using TorchSharp;

namespace Qwen2VL.Model.Text;

/// <summary>
/// The decoder part of a stage (<c>model.*</c>): the token embedding (first stage, or the last stage when the head is
/// tied to it), decoder layers [a, b) named by their index in the whole model, and the final norm (last stage).
/// </summary>
public sealed class TextModel : torch.nn.Module
{
    /// <summary>Creates the uninitialised parts of <paramref name="layers"/> that a stage needs.</summary>
    public TextModel(Qwen2VLConfig config, LayerRange layers, bool withEmbedding, bool withFinalNorm, ModelPlacement placement)
        : base(nameof(TextModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (withEmbedding)
        {
            EmbedTokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, placement);
            register_module("embed_tokens", EmbedTokens);
        }

        Layers = new IndexedModules<DecoderLayer>(layers.Start, layers.Count, i => new DecoderLayer(config, i, placement));
        register_module("layers", Layers);
        if (withFinalNorm)
        {
            Norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
            register_module("norm", Norm);
        }
    }

    /// <summary>The token embedding, when this stage holds it.</summary>
    public TokenEmbedding? EmbedTokens { get; }

    /// <summary>The decoder layers of this stage.</summary>
    public IndexedModules<DecoderLayer> Layers { get; }

    /// <summary>The final RMSNorm, on the last stage.</summary>
    public RmsNorm? Norm { get; }
}
