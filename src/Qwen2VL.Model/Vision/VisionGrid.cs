using static TorchSharp.torch;

namespace Qwen2VL.Model.Vision;

/// <summary>
/// The patch grids of the images or videos in one vision batch: (t, h, w) in patches per item, as in
/// <c>image_grid_thw</c> / <c>video_grid_thw</c>. Patches are laid out item by item, each in the processor's order
/// (t, h_block, w_block, mh, mw).
/// </summary>
public sealed class VisionGrid
{
    private readonly (int T, int H, int W)[] _items;

    /// <summary>Creates a grid list; every h and w must be a multiple of <paramref name="mergeSize"/>.</summary>
    public VisionGrid(IEnumerable<(int T, int H, int W)> items, int mergeSize)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.ToArray();
        MergeSize = mergeSize;
        for (int i = 0; i < _items.Length; i++)
        {
            var (t, h, w) = _items[i];
            if (t <= 0 || h <= 0 || w <= 0 || h % mergeSize != 0 || w % mergeSize != 0)
            {
                throw new ArgumentException($"grid {i} is (t {t}, h {h}, w {w}): all must be positive and h, w multiples of the merge size {mergeSize}");
            }
        }
    }

    /// <summary>Reads a [n, 3] int64 grid tensor.</summary>
    public static VisionGrid FromTensor(Tensor gridThw, int mergeSize)
    {
        ArgumentNullException.ThrowIfNull(gridThw);
        if (gridThw.dim() != 2 || gridThw.shape[1] != 3)
        {
            throw new ArgumentException($"grid_thw must have shape [n, 3], got [{string.Join(", ", gridThw.shape)}]");
        }

        using var cpu = gridThw.to(ScalarType.Int64, CPU);
        long[] values = cpu.data<long>().ToArray();
        var items = new (int, int, int)[gridThw.shape[0]];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = (checked((int)values[3 * i]), checked((int)values[3 * i + 1]), checked((int)values[3 * i + 2]));
        }

        return new VisionGrid(items, mergeSize);
    }

    /// <summary>The (t, h, w) of each item.</summary>
    public IReadOnlyList<(int T, int H, int W)> Items => _items;

    /// <summary>Side of the merged window.</summary>
    public int MergeSize { get; }

    /// <summary>Total patches, the rows of pixel_values.</summary>
    public long PatchCount => _items.Sum(g => (long)g.T * g.H * g.W);

    /// <summary>LLM tokens after the merger: patches / merge².</summary>
    public long TokenCount => PatchCount / (MergeSize * MergeSize);

    /// <summary>LLM tokens of each item, in order.</summary>
    public IEnumerable<long> TokenCounts => _items.Select(g => (long)g.T * g.H * g.W / (MergeSize * MergeSize));

    /// <summary>
    /// Attention block boundaries: every image and every temporal slice of a video (h·w patches) is its own block,
    /// so video frames do not attend across time inside the ViT. Starts with 0, ends with <see cref="PatchCount"/>.
    /// </summary>
    public long[] CuSeqlens()
    {
        var bounds = new List<long> { 0 };
        long end = 0;
        foreach (var (t, h, w) in _items)
        {
            for (int f = 0; f < t; f++)
            {
                end += (long)h * w;
                bounds.Add(end);
            }
        }

        return bounds.ToArray();
    }

    /// <summary>
    /// (row, column) patch coordinates of every patch, flattened [N·2], in the processor's (h_block, w_block, mh, mw)
    /// order and repeated for every frame. These are patch coordinates, not merged ones.
    /// </summary>
    public long[] PatchCoordinates()
    {
        var coordinates = new long[checked(PatchCount * 2)];
        long k = 0;
        int m = MergeSize;
        foreach (var (t, h, w) in _items)
        {
            for (int f = 0; f < t; f++)
            {
                for (int hb = 0; hb < h / m; hb++)
                {
                    for (int wb = 0; wb < w / m; wb++)
                    {
                        for (int mh = 0; mh < m; mh++)
                        {
                            for (int mw = 0; mw < m; mw++)
                            {
                                coordinates[k++] = (long)hb * m + mh;
                                coordinates[k++] = (long)wb * m + mw;
                            }
                        }
                    }
                }
            }
        }

        return coordinates;
    }
}
