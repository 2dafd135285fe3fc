using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Layers;

/// <summary>The token embedding table <c>weight</c> [vocab, hidden]; also the head's weight when embeddings are tied.</summary>
public sealed class TokenEmbedding : nn.Module
{
    private readonly Parameter _weight;

    /// <summary>Creates an uninitialised table.</summary>
    public TokenEmbedding(int vocabSize, int hiddenSize, ModelPlacement placement)
        : base(nameof(TokenEmbedding))
    {
        ArgumentNullException.ThrowIfNull(placement);
        VocabSize = vocabSize;
        _weight = placement.NewParameter(vocabSize, hiddenSize);
        register_parameter("weight", _weight);
    }

    /// <summary>Rows in the table.</summary>
    public int VocabSize { get; }

    /// <summary>The table [vocab, hidden].</summary>
    public Tensor Weight => _weight;

    /// <summary>Looks up token ids of any shape; every id must be inside the vocabulary.</summary>
    public Tensor Forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.numel() > 0)
        {
            long min = ids.min().item<long>();
            long max = ids.max().item<long>();
            if (min < 0 || max >= VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token ids must lie in [0, {VocabSize}), got range [{min}, {max}]");
            }
        }

        var flat = ids.reshape(-1);
        var rows = _weight.index_select(0, flat);
        return rows.reshape(ids.shape.Append(_weight.shape[1]).ToArray());
    }
}
