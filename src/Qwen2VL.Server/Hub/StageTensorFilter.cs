using System.Globalization;
using System.Text.RegularExpressions;
using Qwen2VL.Model.Stages;

namespace Qwen2VL.Server.Hub;

/// <summary>
/// Decides which checkpoint tensors a pipeline stage holding decoder layers [a, b) needs: its own layers; the
/// vision tower and the embedding on the first stage; the final norm and the LM head (the embedding when tied)
/// on the last. Tensors it does not recognise are kept, so an unfamiliar checkpoint costs bandwidth, never a
/// missing weight. Accepts both the original (<c>model.layers.N</c>, <c>visual.</c>) and the newer transformers
/// naming (<c>model.language_model.layers.N</c>, <c>model.visual.</c>).
/// </summary>
public sealed partial class StageTensorFilter(LayerRange layers, TextModelShape shape)
{
    /// <summary>Whether this stage is the first one (it embeds tokens and runs the vision tower).</summary>
    public bool IsFirst => layers.Start == 0;

    /// <summary>Whether this stage is the last one (it runs the final norm and the LM head).</summary>
    public bool IsLast => layers.End >= shape.NumHiddenLayers;

    /// <summary>Whether the stage needs <paramref name="tensorName"/>.</summary>
    public bool Needs(string tensorName)
    {
        if (DecoderLayer().Match(tensorName) is { Success: true } layer)
        {
            return layers.Contains(int.Parse(layer.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
        }

        if (Vision().IsMatch(tensorName))
        {
            return IsFirst;
        }

        if (Embedding().IsMatch(tensorName))
        {
            return IsFirst || (IsLast && shape.TieWordEmbeddings);
        }

        if (FinalNorm().IsMatch(tensorName) || LmHead().IsMatch(tensorName))
        {
            return IsLast;
        }

        return true;
    }

    [GeneratedRegex(@"^(?:model\.)?(?:language_model\.)?(?:model\.)?layers\.(\d+)\.")]
    private static partial Regex DecoderLayer();

    [GeneratedRegex(@"^(?:model\.)?visual\.")]
    private static partial Regex Vision();

    [GeneratedRegex(@"^(?:model\.)?(?:language_model\.)?(?:model\.)?embed_tokens\.")]
    private static partial Regex Embedding();

    [GeneratedRegex(@"^(?:model\.)?(?:language_model\.)?(?:model\.)?norm\.")]
    private static partial Regex FinalNorm();

    [GeneratedRegex(@"^lm_head\.")]
    private static partial Regex LmHead();
}
