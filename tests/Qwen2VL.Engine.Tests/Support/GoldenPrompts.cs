using System.Security.Cryptography;
using Qwen2VL.Model.Sampling;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Engine.Tests.Support;

/// <summary>A golden prompt (one batch row of a case) turned into an engine request, with its expected greedy tokens.</summary>
public sealed record GoldenPrompt(string Name, int[] Tokens, long[] Positions, long RopeDelta, IReadOnlyList<PreparedMedia> Media, int[] ExpectedTokens)
{
    public GenerationRequest Request(string key, int maxNewTokens, bool keepCache = false, string tenant = "t") => new()
    {
        SequenceKey = key,
        TenantId = tenant,
        PromptTokens = Tokens,
        PromptPositions = Positions,
        RopeDelta = RopeDelta,
        Media = Media,
        Sampling = new SamplingParameters(temperature: 0, maxNewTokens: maxNewTokens, ignoreEos: true),
        KeepCache = keepCache,
    };
}

/// <summary>Reads golden cases into engine requests. Discovers cases, so it runs on any fixture of the same format.</summary>
public static class GoldenPrompts
{
    /// <summary>Every single-turn, unpadded batch row that has greedy goldens (prefix "" or "turn1_"/"turn2_").</summary>
    public static IEnumerable<GoldenPrompt> All()
    {
        foreach (var dir in Directory.GetDirectories(TestPaths.Cases).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, "tensors.safetensors")))
            {
                continue;
            }

            var tensors = GoldenTensors.Load(Path.Combine(dir, "tensors.safetensors"));
            foreach (var prefix in new[] { "", "turn1_", "turn2_" })
            {
                if (!tensors.Contains(prefix + "input_ids") || !tensors.Contains(prefix + "gen_tokens"))
                {
                    continue;
                }

                var ids = tensors[prefix + "input_ids"];
                int rows = (int)ids.Shape[0];
                for (int row = 0; row < rows; row++)
                {
                    yield return Build(Path.GetFileName(dir), prefix, row, tensors);
                }
            }
        }
    }

    public static GoldenPrompt Get(string name) => All().Single(p => p.Name == name);

    private static GoldenPrompt Build(string caseName, string prefix, int row, GoldenTensors tensors)
    {
        var ids = tensors[prefix + "input_ids"];
        int length = (int)ids.Shape[1];
        long[] allIds = ids.AsInt64();
        long[] mask = tensors.Contains(prefix + "attention_mask") ? tensors[prefix + "attention_mask"].AsInt64() : Enumerable.Repeat(1L, allIds.Length).ToArray();
        int[] keep = Enumerable.Range(0, length).Where(i => mask[(row * length) + i] == 1).ToArray();
        int[] tokens = keep.Select(i => (int)allIds[(row * length) + i]).ToArray();

        var pos = tensors[prefix + "position_ids"];
        int batch = (int)pos.Shape[1];
        long[] allPositions = pos.AsInt64();
        var positions = new long[3 * keep.Length];
        for (int r = 0; r < 3; r++)
        {
            for (int k = 0; k < keep.Length; k++)
            {
                positions[(r * keep.Length) + k] = allPositions[(((r * batch) + row) * length) + keep[k]];
            }
        }

        // The reference's delta counts left padding (positions continue from the padded length); without pads, add them back.
        long delta = tensors[prefix + "rope_deltas"].AsInt64()[row] + (length - keep.Length);
        var gen = tensors[prefix + "gen_tokens"];
        int[] expected = gen.AsInt64().Skip(row * (int)gen.Shape[1]).Take((int)gen.Shape[1]).Select(v => (int)v).ToArray();
        var media = new List<PreparedMedia>();
        media.AddRange(Media(tensors, prefix, "pixel_values", "image_grid_thw", isVideo: false, tokens));
        media.AddRange(Media(tensors, prefix, "pixel_values_videos", "video_grid_thw", isVideo: true, tokens));
        // Media must be listed in pad order; images and videos never interleave in these cases, but sort to be safe.
        return new GoldenPrompt($"{caseName}/{prefix}{row}", tokens, positions, delta, media, expected);
    }

    private static IEnumerable<PreparedMedia> Media(GoldenTensors tensors, string prefix, string pixelsName, string gridName, bool isVideo, int[] tokens)
    {
        string pixelsKey = tensors.Contains(prefix + pixelsName) ? prefix + pixelsName : pixelsName;
        string gridKey = tensors.Contains(prefix + gridName) ? prefix + gridName : gridName;
        if (!tensors.Contains(pixelsKey) || !tensors.Contains(gridKey))
        {
            yield break;
        }

        int padId = isVideo ? 151656 : 151655;
        if (!tokens.Contains(padId))
        {
            yield break; // e.g. the text-only row of a batch
        }

        var pixels = tensors[pixelsKey];
        int width = (int)pixels.Shape[1];
        float[] all = pixels.AsFloat32();
        long[] grids = tensors[gridKey].AsInt64();
        int offset = 0;
        for (int i = 0; i < grids.Length / 3; i++)
        {
            int t = (int)grids[3 * i], h = (int)grids[(3 * i) + 1], w = (int)grids[(3 * i) + 2];
            int patches = t * h * w;
            float[] values = all.AsSpan(offset * width, patches * width).ToArray();
            offset += patches;
            string hash = Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));
            yield return new PreparedMedia(values, t, h, w, isVideo, hash);
        }
    }
}
