using System.Globalization;
using Qwen2VL.Model.Config;
using Qwen2VL.Model.Stages;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Model.Tests;

/// <summary>
/// Parameter names and shapes of the released configs, built on the meta device (nothing allocated), against committed
/// lists. Set QWEN2VL_UPDATE_PARAMETER_LISTS=1 to rewrite the lists after a deliberate change, then review the diff.
/// </summary>
public class ParameterShapeTests
{
    public static TheoryData<string> Models => new() { "Qwen2-VL-2B-Instruct", "Qwen2-VL-7B-Instruct", "Qwen2-VL-72B-Instruct" };

    [Theory]
    [MemberData(nameof(Models))]
    public void ParameterShapes_ReleasedConfig_MatchCommittedList(string name)
    {
        var config = Qwen2VLConfig.Load(ConfigTests.RealConfig(name));
        var lines = Qwen2VLStage.ParameterShapes(config)
            .Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]")
            .ToList();
        string listPath = Path.Combine(TestPaths.RepositoryRoot, "tests", "Qwen2VL.Model.Tests", "Configs", $"{name}.parameters.txt");
        if (Environment.GetEnvironmentVariable("QWEN2VL_UPDATE_PARAMETER_LISTS") == "1")
        {
            File.WriteAllLines(listPath, lines);
        }

        Assert.Equal(File.ReadAllLines(listPath), lines);
    }

    [Theory]
    [InlineData("Qwen2-VL-2B-Instruct", 2_208_985_600L)]
    [InlineData("Qwen2-VL-7B-Instruct", 8_291_375_616L)]
    [InlineData("Qwen2-VL-72B-Instruct", 73_405_560_320L)]
    public void ParameterShapes_ReleasedConfig_SumToPublishedParameterCount(string name, long expected)
    {
        var config = Qwen2VLConfig.Load(ConfigTests.RealConfig(name));
        long total = Qwen2VLStage.ParameterShapes(config).Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(expected, total);
    }

    [Fact]
    public void ParameterShapes_HandPickedEntries_FollowTheArchitecture()
    {
        var shapes72 = Shapes("Qwen2-VL-72B-Instruct");
        Assert.Equal(new long[] { 1280, 3, 2, 14, 14 }, shapes72["visual.patch_embed.proj.weight"]);
        Assert.Equal(new long[] { 3840, 1280 }, shapes72["visual.blocks.31.attn.qkv.weight"]);
        Assert.Equal(new long[] { 5120, 1280 }, shapes72["visual.blocks.0.mlp.fc1.weight"]);
        Assert.Equal(new long[] { 5120, 5120 }, shapes72["visual.merger.mlp.0.weight"]);
        Assert.Equal(new long[] { 8192, 5120 }, shapes72["visual.merger.mlp.2.weight"]);
        Assert.Equal(new long[] { 1024, 8192 }, shapes72["model.layers.79.self_attn.k_proj.weight"]);
        Assert.Equal(new long[] { 1024 }, shapes72["model.layers.79.self_attn.v_proj.bias"]);
        Assert.Equal(new long[] { 8192, 29568 }, shapes72["model.layers.79.mlp.down_proj.weight"]);
        Assert.Equal(new long[] { 152064, 8192 }, shapes72["lm_head.weight"]);
        Assert.False(shapes72.ContainsKey("model.layers.0.self_attn.o_proj.bias"));

        var shapes2 = Shapes("Qwen2-VL-2B-Instruct");
        Assert.Equal(new long[] { 151936, 1536 }, shapes2["model.embed_tokens.weight"]);
        Assert.Equal(new long[] { 256, 1536 }, shapes2["model.layers.27.self_attn.k_proj.weight"]);
        Assert.False(shapes2.ContainsKey("lm_head.weight"));
        Assert.False(shapes2.ContainsKey("model.layers.28.mlp.up_proj.weight"));

        var shapes7 = Shapes("Qwen2-VL-7B-Instruct");
        Assert.Equal(new long[] { 18944, 3584 }, shapes7["model.layers.0.mlp.gate_proj.weight"]);
        Assert.Equal(new long[] { 152064, 3584 }, shapes7["lm_head.weight"]);
    }

    [Fact]
    public void ParameterShapes_MiddleStage_HoldsOnlyItsLayers()
    {
        var config = Qwen2VLConfig.Load(ConfigTests.RealConfig("Qwen2-VL-72B-Instruct"));
        var names = Qwen2VLStage.ParameterShapes(config, new LayerRange(40, 60)).Select(p => p.Name).ToList();
        Assert.All(names, n => Assert.StartsWith("model.layers.", n, StringComparison.Ordinal));
        var layers = names.Select(n => int.Parse(n.Split('.')[2], CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(40, 20), layers);
    }

    [Fact]
    public void ParameterShapes_LastStageTied_HoldsEmbeddingForTheHead()
    {
        var config = Qwen2VLConfig.Load(ConfigTests.RealConfig("Qwen2-VL-2B-Instruct"));
        var names = Qwen2VLStage.ParameterShapes(config, new LayerRange(20, 28)).Select(p => p.Name).ToHashSet();
        Assert.Contains("model.embed_tokens.weight", names);
        Assert.Contains("model.norm.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
        Assert.DoesNotContain(names, n => n.StartsWith("visual.", StringComparison.Ordinal));
    }

    private static Dictionary<string, long[]> Shapes(string name) =>
        Qwen2VLStage.ParameterShapes(Qwen2VLConfig.Load(ConfigTests.RealConfig(name))).ToDictionary(p => p.Name, p => p.Shape);
}
