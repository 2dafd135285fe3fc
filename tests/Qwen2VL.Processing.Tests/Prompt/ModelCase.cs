using Qwen2VL.Processing.Images;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Prompt;

/// <summary>One prompt of a model case (a processor call), read from its golden tensors.</summary>
internal sealed record ModelCase(
    string Name,
    int Batch,
    int Length,
    long[][] InputIds,
    long[][] AttentionMask,
    GridThw[] ImageGrids,
    GridThw[] VideoGrids,
    long[] PositionIds,
    long[] RopeDeltas,
    long[]? GenPositionIds,
    int GenSteps)
{
    /// <summary>(case, tensor prefix) of every prompt in the fixtures.</summary>
    public static TheoryData<string, string> All() => new()
    {
        { "a_text_only", "" },
        { "b1_100x60", "" },
        { "b2_333x217", "" },
        { "b3_28x28", "" },
        { "b4_wide_1400x40", "" },
        { "c_two_images", "" },
        { "d_video", "" },
        { "e_multi_turn", "turn1_" },
        { "e_multi_turn", "turn2_" },
        { "f_batch_left_pad", "" },
    };

    public static ModelCase Load(string caseName, string prefix)
    {
        var t = GoldenTensors.ForCase(caseName);
        var ids = t[$"{prefix}input_ids"];
        int batch = (int)ids.Shape[0];
        int length = (int)ids.Shape[1];
        long[] flatIds = ids.AsInt64();
        long[] flatMask = t[$"{prefix}attention_mask"].AsInt64();
        GenTensor(t, $"{prefix}gen_position_ids", out long[]? gen, out int steps);
        return new ModelCase(
            $"{caseName}/{prefix}",
            batch,
            length,
            Rows(flatIds, batch, length),
            Rows(flatMask, batch, length),
            Grids(t, $"{prefix}image_grid_thw"),
            Grids(t, $"{prefix}video_grid_thw"),
            t[$"{prefix}position_ids"].AsInt64(),
            t[$"{prefix}rope_deltas"].AsInt64(),
            gen,
            steps);
    }

    /// <summary>Golden position of row <paramref name="r"/> (t/h/w), batch row <paramref name="b"/>, token <paramref name="i"/>.</summary>
    public long Position(int r, int b, int i) => PositionIds[(((r * Batch) + b) * Length) + i];

    private static void GenTensor(GoldenTensors t, string name, out long[]? values, out int steps)
    {
        values = t.Contains(name) ? t[name].AsInt64() : null;
        steps = values is null ? 0 : (int)t[name].Shape[2];
    }

    private static long[][] Rows(long[] flat, int batch, int length) =>
        Enumerable.Range(0, batch).Select(b => flat.AsSpan(b * length, length).ToArray()).ToArray();

    private static GridThw[] Grids(GoldenTensors t, string name)
    {
        if (!t.Contains(name))
        {
            return [];
        }

        long[] g = t[name].AsInt64();
        return Enumerable.Range(0, g.Length / 3).Select(i => new GridThw((int)g[i * 3], (int)g[(i * 3) + 1], (int)g[(i * 3) + 2])).ToArray();
    }
}
