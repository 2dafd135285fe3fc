using System.Text.Json.Nodes;
using Qwen2VL.Model.Config;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Model.Tests;

public class ConfigTests
{
    public static string RealConfig(string name) =>
        Path.Combine(TestPaths.RepositoryRoot, "tests", "Qwen2VL.Model.Tests", "Configs", $"{name}.config.json");

    [Fact]
    public void Load_FixtureCheckpoint_ReadsTextAndVisionSettings()
    {
        var config = Qwen2VLConfig.Load(TestPaths.Checkpoint);
        Assert.Equal(64, config.HiddenSize);
        Assert.Equal(16, config.HeadDim);
        Assert.Equal(2, config.QueryGroups);
        Assert.True(config.TieWordEmbeddings);
        Assert.Equal(new[] { 2, 3, 3 }, config.MropeSection);
        Assert.Equal(32, config.VisionSettings.EmbedDim);
        Assert.Equal(1176, config.VisionSettings.PatchVectorLength);
        Assert.Equal("quick_gelu", config.VisionSettings.HiddenAct);
    }

    [Theory]
    [InlineData("Qwen2-VL-2B-Instruct", 1536, 8960, 28, 12, 2, 151936, true)]
    [InlineData("Qwen2-VL-7B-Instruct", 3584, 18944, 28, 28, 4, 152064, false)]
    [InlineData("Qwen2-VL-72B-Instruct", 8192, 29568, 80, 64, 8, 152064, false)]
    public void Load_ReleasedConfigs_ReadPublishedSizes(string name, int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab, bool tied)
    {
        var config = Qwen2VLConfig.Load(RealConfig(name));
        Assert.Equal(hidden, config.HiddenSize);
        Assert.Equal(intermediate, config.IntermediateSize);
        Assert.Equal(layers, config.NumHiddenLayers);
        Assert.Equal(heads, config.NumAttentionHeads);
        Assert.Equal(kvHeads, config.NumKeyValueHeads);
        Assert.Equal(vocab, config.VocabSize);
        Assert.Equal(tied, config.TieWordEmbeddings);
        Assert.Equal(128, config.HeadDim);
        Assert.Equal(new[] { 16, 24, 24 }, config.MropeSection);
        Assert.Equal(1e6, config.RopeTheta);
        Assert.Equal(1e-6, config.RmsNormEps);
        var vision = config.VisionSettings;
        Assert.Equal((32, 1280, 16, 80, 5120), (vision.Depth, vision.EmbedDim, vision.NumHeads, vision.HeadDim, vision.MlpHiddenDim));
        Assert.Equal(hidden, vision.HiddenSize);
    }

    [Fact]
    public void Parse_UnknownModelType_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => Qwen2VLConfig.Parse(Mutate(n => n["model_type"] = "qwen2_5_vl")));
        Assert.Contains("qwen2_5_vl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownRopeType_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => Qwen2VLConfig.Parse(Mutate(n => n["rope_scaling"]!["type"] = "yarn")));
        Assert.Contains("yarn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MropeSectionNotHalfHeadDim_ThrowsWithNumbers()
    {
        var error = Assert.Throws<InvalidDataException>(() => Qwen2VLConfig.Parse(Mutate(n => n["rope_scaling"]!["mrope_section"] = new JsonArray(2, 3, 4))));
        Assert.Contains("8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RopeTypeKeyAndNestedTextConfig_AreAccepted()
    {
        string json = Mutate(n =>
        {
            var text = new JsonObject();
            foreach (var key in new[] { "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "vocab_size" })
            {
                text[key] = n[key]!.DeepClone();
                n.Remove(key);
            }

            n["text_config"] = text;
            n["rope_scaling"] = new JsonObject { ["rope_type"] = "default", ["mrope_section"] = new JsonArray(2, 3, 3) };
        });

        var config = Qwen2VLConfig.Parse(json);
        Assert.Equal(64, config.HiddenSize);
        Assert.Equal(3, config.NumHiddenLayers);
    }

    private static string Mutate(Action<JsonObject> change)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Checkpoint, "config.json")))!.AsObject();
        change(node);
        return node.ToJsonString();
    }
}
