namespace Qwen2VL.Processing.Images;

/// <summary>
/// Rescales, normalises and cuts resized frames into the patch matrix the vision tower expects, in one pass.
/// Rows are ordered (t, h_block, w_block, mh, mw) so that each run of merge² rows is one merger window; columns are
/// ordered (C, T, py, px), the layout of the patch-embedding Conv3d weight.
/// </summary>
public sealed class PatchFlattener
{
    private readonly VisionPreprocessorOptions _options;

    // Normalised value of every byte per channel: rescaling and normalising are pure functions of the byte, so a
    // 3 × 256 table is exact and saves the arithmetic per pixel.
    private readonly float[] _lookup;

    /// <summary>Prepares the normalisation table for the given settings.</summary>
    public PatchFlattener(VisionPreprocessorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _lookup = BuildLookup(options.ImageMean, options.ImageStd);
    }

    /// <summary>
    /// The reference arithmetic for one byte: float64 × (1/255) rounded to float32, then (x − mean) / std in float32.
    /// </summary>
    public static float Normalize(byte value, float mean, float std)
    {
        float scaled = (float)(value * (1.0 / 255.0));
        return (scaled - mean) / std;
    }

    /// <summary>
    /// Flattens frames that all have the same size, a multiple of patch × merge on both sides. A frame count that is
    /// not a multiple of the temporal patch size is padded by repeating the last frame (a still image becomes two
    /// identical frames).
    /// </summary>
    public PatchedPixels Flatten(IReadOnlyList<RgbImage> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("at least one frame is needed", nameof(frames));
        }

        int width = frames[0].Width;
        int height = frames[0].Height;
        int factor = _options.Factor;
        if (width % factor != 0 || height % factor != 0)
        {
            throw new ArgumentException($"frames are {width}×{height}; both sides must be multiples of {factor}", nameof(frames));
        }

        foreach (var frame in frames)
        {
            if (frame.Width != width || frame.Height != height)
            {
                throw new ArgumentException($"frames differ in size: {width}×{height} and {frame.Width}×{frame.Height}", nameof(frames));
            }
        }

        int temporal = _options.TemporalPatchSize;
        int gridT = (frames.Count + temporal - 1) / temporal;
        var grid = new GridThw(gridT, height / _options.PatchSize, width / _options.PatchSize);
        int columns = _options.PatchVectorLength;
        float[] values = GC.AllocateUninitializedArray<float>(checked(grid.PatchCount * columns));

        // One work item per row of patches (t, h): each reads its 14 pixel rows once and writes whole patch rows.
        int rowsOfPatches = gridT * grid.H;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = (long)width * height < 65_536 ? 1 : Environment.ProcessorCount,
        };
        Parallel.For(0, rowsOfPatches, parallel, item =>
            FlattenPatchRow(frames, item / grid.H, item % grid.H, grid, values));
        return new PatchedPixels(values, grid, columns);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void FlattenPatchRow(IReadOnlyList<RgbImage> frames, int t, int h, GridThw grid, float[] values)
    {
        int patch = _options.PatchSize;
        int merge = _options.MergeSize;
        int temporal = _options.TemporalPatchSize;
        int columns = _options.PatchVectorLength;
        int planeStride = temporal * patch * patch; // columns per channel
        int frameStride = patch * patch; // columns per frame within a channel
        int blocksW = grid.W / merge;
        int hb = h / merge;
        int mh = h % merge;
        int width = frames[0].Width;
        ReadOnlySpan<float> lutR = _lookup.AsSpan(0, 256);
        ReadOnlySpan<float> lutG = _lookup.AsSpan(256, 256);
        ReadOnlySpan<float> lutB = _lookup.AsSpan(512, 256);

        for (int tt = 0; tt < temporal; tt++)
        {
            int frameIndex = Math.Min((t * temporal) + tt, frames.Count - 1);
            var frame = frames[frameIndex];
            int previousIndex = Math.Min((t * temporal) + tt - 1, frames.Count - 1);

            // Repeated frames (a still image, or padding) copy the block already written instead of recomputing it.
            bool repeat = tt > 0 && ReferenceEquals(frames[previousIndex], frame);
            for (int w = 0; w < grid.W; w++)
            {
                int wb = w / merge;
                int mw = w % merge;
                long row = ((((((long)t * (grid.H / merge)) + hb) * blocksW) + wb) * merge * merge) + (mh * merge) + mw;
                Span<float> dst = values.AsSpan((int)(row * columns), columns);
                if (repeat)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        int at = c * planeStride;
                        dst.Slice(at + ((tt - 1) * frameStride), frameStride).CopyTo(dst.Slice(at + (tt * frameStride), frameStride));
                    }

                    continue;
                }

                ReadOnlySpan<byte> pixels = frame.Pixels;
                for (int py = 0; py < patch; py++)
                {
                    int src = ((((h * patch) + py) * width) + (w * patch)) * 3;
                    int at = (tt * frameStride) + (py * patch);
                    Span<float> r = dst.Slice(at, patch);
                    Span<float> g = dst.Slice(planeStride + at, patch);
                    Span<float> b = dst.Slice((2 * planeStride) + at, patch);
                    ReadOnlySpan<byte> line = pixels.Slice(src, patch * 3);
                    for (int px = 0; px < patch; px++)
                    {
                        r[px] = lutR[line[px * 3]];
                        g[px] = lutG[line[(px * 3) + 1]];
                        b[px] = lutB[line[(px * 3) + 2]];
                    }
                }
            }
        }
    }

    private static float[] BuildLookup(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var lookup = new float[3 * 256];
        for (int c = 0; c < 3; c++)
        {
            for (int v = 0; v < 256; v++)
            {
                lookup[(c * 256) + v] = Normalize((byte)v, mean[c], std[c]);
            }
        }

        return lookup;
    }
}
