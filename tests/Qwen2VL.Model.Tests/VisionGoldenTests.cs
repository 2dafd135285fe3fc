using Qwen2VL.Model.Tests.Support;
using Qwen2VL.Model.Vision;

namespace Qwen2VL.Model.Tests;

[Collection(ModelCollection.Name)]
[Trait("Category", "Golden")]
public class VisionGoldenTests
{
    private const double VisionAtol = 1e-4;
    private readonly ModelFixture _model;

    public VisionGoldenTests(ModelFixture model) => _model = model;

    // Auto takes SDPA for these small images; Blocked checks the tower's CPU attention path against the same goldens.
    public static TheoryData<string, string, VisionAttentionPath> VisionCases()
    {
        var data = new TheoryData<string, string, VisionAttentionPath>();
        foreach (var path in new[] { VisionAttentionPath.Auto, VisionAttentionPath.Blocked })
        {
            foreach (var kind in new[] { "image", "video" })
            {
                foreach (var row in GoldenCases.With($"{kind}_vision_embeds", $"{kind}_vision_block_outputs"))
                {
                    data.Add((string)row[0], (string)row[1] + kind, path);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VisionCases))]
    public void VisionTower_GoldenCase_MatchesIntermediatesAndEmbeds(string caseName, string prefixAndKind, VisionAttentionPath path)
    {
        var previous = VisionAttention.Path;
        VisionAttention.Path = path;
        try
        {
            CheckCase(caseName, prefixAndKind);
        }
        finally
        {
            VisionAttention.Path = previous;
        }
    }

    private void CheckCase(string caseName, string prefixAndKind)
    {
        string kind = prefixAndKind.EndsWith("video", StringComparison.Ordinal) ? "video" : "image";
        string prefix = prefixAndKind[..^kind.Length];
        var golden = GoldenCases.Tensors(caseName);
        string pixels = prefix + (kind == "video" ? "pixel_values_videos" : "pixel_values");
        string grid = prefix + $"{kind}_grid_thw";
        string p = $"{prefix}{kind}_vision_";

        using var pixelValues = Golden.ToTensor(golden[pixels]);
        using var gridThw = Golden.ToTensor(golden[grid]);
        using var trace = new VisionTrace();
        using var embeds = _model.Stage.EncodeVision(pixelValues, gridThw, trace);

        Assert.Equal(golden[p + "cu_seqlens"].AsInt64(), trace.CuSeqlens.ToArray());
        TensorAssert.Close(golden[p + "rotary_freqs"], trace.RotaryAngles!, 1e-6, 1e-6, $"{caseName} {kind} rotary angles");
        TensorAssert.Close(golden[p + "patch_embeds"], trace.PatchEmbeds!, VisionAtol, 0, $"{caseName} {kind} patch embeds");
        var blocks = golden[p + "block_outputs"];
        long perBlock = blocks.ElementCount / blocks.Shape[0];
        var all = blocks.AsFloat32();
        Assert.Equal(blocks.Shape[0], trace.BlockOutputs.Count);
        for (int i = 0; i < trace.BlockOutputs.Count; i++)
        {
            TensorAssert.Close(all.AsSpan((int)(i * perBlock), (int)perBlock), TensorAssert.Floats(trace.BlockOutputs[i]), VisionAtol, 0, $"{caseName} {kind} block {i}");
        }

        TensorAssert.Close(golden[p + "merger_ln_q"], trace.MergerLayerNorm!, VisionAtol, 0, $"{caseName} {kind} merger ln_q");
        Assert.Equal(golden[p + "embeds"].Shape, embeds.shape);
        TensorAssert.Close(golden[p + "embeds"], embeds, VisionAtol, 0, $"{caseName} {kind} embeds");
    }
}
