using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Prompt;

/// <summary>
/// Turns template-tokenized ids, with one <c>&lt;|image_pad|&gt;</c> / <c>&lt;|video_pad|&gt;</c> per media item, into
/// model input ids: each pad becomes t·h·w / merge² copies for its item, items taken in order.
/// </summary>
public sealed class VisionPadExpander
{
    private readonly VisionTokenIds _tokens;
    private readonly int _mergeSize;

    /// <summary>Creates an expander for a checkpoint's special tokens and merge size.</summary>
    public VisionPadExpander(VisionTokenIds tokens, int mergeSize)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mergeSize);
        _tokens = tokens;
        _mergeSize = mergeSize;
    }

    /// <summary>Expands every pad for its image or video grid.</summary>
    /// <exception cref="InvalidInputException">The number of pads of a kind differs from the number of items of that kind.</exception>
    public long[] Expand(ReadOnlySpan<long> templateIds, IReadOnlyList<GridThw> imageGrids, IReadOnlyList<GridThw> videoGrids)
    {
        ArgumentNullException.ThrowIfNull(imageGrids);
        ArgumentNullException.ThrowIfNull(videoGrids);
        int imagePads = templateIds.Count(_tokens.ImagePad);
        int videoPads = templateIds.Count(_tokens.VideoPad);
        if (imagePads != imageGrids.Count)
        {
            throw Mismatch("image", "<|image_pad|>", imagePads, imageGrids.Count);
        }

        if (videoPads != videoGrids.Count)
        {
            throw Mismatch("video", "<|video_pad|>", videoPads, videoGrids.Count);
        }

        int merge2 = _mergeSize * _mergeSize;
        long total = templateIds.Length - imagePads - videoPads
            + imageGrids.Sum(g => (long)g.PatchCount / merge2) + videoGrids.Sum(g => (long)g.PatchCount / merge2);
        var result = new long[checked((int)total)];
        int at = 0;
        int image = 0;
        int video = 0;
        foreach (long id in templateIds)
        {
            int copies = 1;
            if (id == _tokens.ImagePad)
            {
                copies = imageGrids[image++].LlmTokenCount(_mergeSize);
            }
            else if (id == _tokens.VideoPad)
            {
                copies = videoGrids[video++].LlmTokenCount(_mergeSize);
            }

            result.AsSpan(at, copies).Fill(id);
            at += copies;
        }

        return result;
    }

    private static InvalidInputException Mismatch(string kind, string pad, int pads, int items) =>
        new(PromptErrorCodes.MediaCountMismatch,
            $"the prompt has {pads} {pad} placeholder{(pads == 1 ? "" : "s")} but {items} {kind}{(items == 1 ? " was" : "s were")} given");
}
