using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Prompt;

/// <summary>
/// Multimodal rotary position ids (M-RoPE), as the reference <c>get_rope_index</c> computes them. Text tokens get the
/// same position on all three rows, continuing a running counter; an image or video block starting at counter s gives
/// its token (t, h, w) of the merged grid the positions (s + t, s + h, s + w), and the text after it resumes at
/// s + max(t, h, w) of the merged grid. Padding (attention mask 0) is skipped and gets position 1.
/// </summary>
public sealed class RopeIndex
{
    private readonly VisionTokenIds _tokens;
    private readonly int _mergeSize;

    /// <summary>Creates the index for a checkpoint's special tokens and merge size.</summary>
    public RopeIndex(VisionTokenIds tokens, int mergeSize)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mergeSize);
        _tokens = tokens;
        _mergeSize = mergeSize;
    }

    /// <summary>The position of a text token fed at <paramref name="cachePosition"/> (its index in the padded sequence), on all three rows.</summary>
    public static long DecodePosition(long cachePosition, long ropeDelta) => cachePosition + ropeDelta;

    /// <summary>
    /// Positions of one sequence whose pads are already expanded. Grids are used in order: the k-th image block takes
    /// <paramref name="imageGrids"/>[k], likewise for videos.
    /// </summary>
    /// <param name="inputIds">Token ids, length L.</param>
    /// <param name="imageGrids">One grid per image block, in prompt order.</param>
    /// <param name="videoGrids">One grid per video block, in prompt order.</param>
    /// <param name="attentionMask">Empty for no padding, else L values: 0 for padding, 1 for tokens.</param>
    /// <exception cref="InvalidInputException">The blocks in the ids do not match the grids.</exception>
    public RopePositions Compute(ReadOnlySpan<long> inputIds, IReadOnlyList<GridThw> imageGrids,
        IReadOnlyList<GridThw> videoGrids, ReadOnlySpan<long> attentionMask = default)
    {
        ArgumentNullException.ThrowIfNull(imageGrids);
        ArgumentNullException.ThrowIfNull(videoGrids);
        var cursor = new GridCursor(imageGrids, videoGrids);
        var positions = ComputeRow(inputIds, attentionMask, cursor);
        cursor.EnsureAllUsed();
        return positions;
    }

    /// <summary>
    /// Positions of a batch of equally long (padded) sequences. As in the reference, the grids run across the batch:
    /// the first row's images take the first grids.
    /// </summary>
    /// <exception cref="InvalidInputException">The blocks in the ids do not match the grids.</exception>
    public IReadOnlyList<RopePositions> ComputeBatch(IReadOnlyList<long[]> inputIds, IReadOnlyList<GridThw> imageGrids,
        IReadOnlyList<GridThw> videoGrids, IReadOnlyList<long[]>? attentionMask = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(imageGrids);
        ArgumentNullException.ThrowIfNull(videoGrids);
        if (attentionMask is not null && attentionMask.Count != inputIds.Count)
        {
            throw new ArgumentException($"{inputIds.Count} rows of ids but {attentionMask.Count} rows of attention mask", nameof(attentionMask));
        }

        var cursor = new GridCursor(imageGrids, videoGrids);
        var rows = new RopePositions[inputIds.Count];
        for (int b = 0; b < rows.Length; b++)
        {
            rows[b] = ComputeRow(inputIds[b], attentionMask is null ? default : attentionMask[b], cursor);
        }

        cursor.EnsureAllUsed();
        return rows;
    }

    /// <summary>
    /// Positions of the tokens appended after a cached prefix of <paramref name="cachedLength"/> tokens. The whole
    /// sequence is recomputed, because new media in the appended part shifts positions in a way the prefix's
    /// <c>rope_delta</c> cannot express. The result's delta is the whole sequence's, for the decode steps that follow.
    /// </summary>
    /// <exception cref="InvalidInputException">The blocks in the ids do not match the grids.</exception>
    public RopePositions Continue(ReadOnlySpan<long> inputIds, IReadOnlyList<GridThw> imageGrids,
        IReadOnlyList<GridThw> videoGrids, int cachedLength, ReadOnlySpan<long> attentionMask = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cachedLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cachedLength, inputIds.Length);
        return Compute(inputIds, imageGrids, videoGrids, attentionMask).Slice(cachedLength);
    }

    private RopePositions ComputeRow(ReadOnlySpan<long> ids, ReadOnlySpan<long> mask, GridCursor cursor)
    {
        int length = ids.Length;
        if (!mask.IsEmpty && mask.Length != length)
        {
            throw new ArgumentException($"attention mask has {mask.Length} values for {length} ids", nameof(mask));
        }

        // The reference works on the unpadded tokens and scatters the result back; padding keeps position 1.
        var valid = new List<int>(length);
        for (int i = 0; i < length; i++)
        {
            if (mask.IsEmpty || mask[i] != 0)
            {
                valid.Add(i);
            }
        }

        var values = new long[3 * length];
        Array.Fill(values, 1L);
        long next = 0;
        long max = -1;
        int k = 0;
        while (k < valid.Count)
        {
            long id = ids[valid[k]];
            bool isImage = id == _tokens.ImagePad;
            if (!isImage && id != _tokens.VideoPad)
            {
                Set(values, length, valid[k], next, next, next);
                max = next;
                next++;
                k++;
                continue;
            }

            var grid = isImage ? cursor.NextImage() : cursor.NextVideo();
            int llmT = grid.T;
            int llmH = grid.H / _mergeSize;
            int llmW = grid.W / _mergeSize;
            int tokens = llmT * llmH * llmW;
            CheckBlock(ids, valid, k, id, tokens, grid, isImage ? cursor.ImagesUsed : cursor.VideosUsed, isImage);
            for (int t = 0, n = 0; t < llmT; t++)
            {
                for (int h = 0; h < llmH; h++)
                {
                    for (int w = 0; w < llmW; w++, n++)
                    {
                        Set(values, length, valid[k + n], next + t, next + h, next + w);
                    }
                }
            }

            max = next + Math.Max(llmT, Math.Max(llmH, llmW)) - 1;
            next = max + 1;
            k += tokens;
        }

        // rope_delta counts padding too: it maps a position in the padded sequence to the row's text position.
        return new RopePositions(values, max + 1 - length);
    }

    private void CheckBlock(ReadOnlySpan<long> ids, List<int> valid, int start, long pad, int tokens, GridThw grid, int ordinal, bool isImage)
    {
        int run = 0;
        while (start + run < valid.Count && ids[valid[start + run]] == pad)
        {
            run++;
        }

        if (run != tokens)
        {
            string kind = isImage ? "image" : "video";
            throw new InvalidInputException(PromptErrorCodes.MediaCountMismatch,
                $"{kind} {ordinal} has grid {grid}, which needs {tokens} pad tokens, but the prompt has a run of {run} there");
        }

        if (start == 0 || ids[valid[start - 1]] != _tokens.VisionStart)
        {
            throw new InvalidInputException(PromptErrorCodes.MediaCountMismatch,
                $"{(isImage ? "image" : "video")} {ordinal}'s pad tokens are not preceded by <|vision_start|>");
        }
    }

    private static void Set(long[] values, int length, int index, long t, long h, long w)
    {
        values[index] = t;
        values[length + index] = h;
        values[(2 * length) + index] = w;
    }

    /// <summary>Hands out grids in order and reports when the prompt and the grids disagree in number.</summary>
    private sealed class GridCursor(IReadOnlyList<GridThw> images, IReadOnlyList<GridThw> videos)
    {
        public int ImagesUsed { get; private set; }

        public int VideosUsed { get; private set; }

        public GridThw NextImage() => ImagesUsed < images.Count
            ? images[ImagesUsed++]
            : throw Mismatch("image", ImagesUsed + 1, images.Count);

        public GridThw NextVideo() => VideosUsed < videos.Count
            ? videos[VideosUsed++]
            : throw Mismatch("video", VideosUsed + 1, videos.Count);

        public void EnsureAllUsed()
        {
            if (ImagesUsed != images.Count)
            {
                throw Mismatch("image", ImagesUsed, images.Count);
            }

            if (VideosUsed != videos.Count)
            {
                throw Mismatch("video", VideosUsed, videos.Count);
            }
        }

        private static InvalidInputException Mismatch(string kind, int blocks, int grids) =>
            new(PromptErrorCodes.MediaCountMismatch,
                $"the prompt has {(blocks > grids ? "at least " : "")}{blocks} {kind} blocks but {grids} {kind} grids were given");
    }
}
