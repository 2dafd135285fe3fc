using Qwen2VL.Model.Stages;
using Qwen2VL.Server.Hub;

namespace Qwen2VL.Server.Tests.Hub;

public class StageTensorFilterTests
{
    private static readonly TextModelShape Tied = new(28, TieWordEmbeddings: true);
    private static readonly TextModelShape Untied = new(28, TieWordEmbeddings: false);

    [Theory]
    [InlineData("model.layers.13.mlp.up_proj.weight", true)]
    [InlineData("model.layers.14.mlp.up_proj.weight", false)]
    [InlineData("model.layers.1.self_attn.q_proj.bias", false)]
    [InlineData("visual.blocks.0.attn.qkv.weight", false)]
    [InlineData("model.embed_tokens.weight", false)]
    [InlineData("model.norm.weight", false)]
    [InlineData("lm_head.weight", false)]
    [InlineData("some.unknown.tensor", true)]
    public void Needs_MiddleStage_OnlyItsLayers(string tensor, bool needed) =>
        Assert.Equal(needed, new StageTensorFilter(new LayerRange(10, 14), Untied).Needs(tensor));

    [Theory]
    [InlineData("visual.merger.mlp.0.weight", true)]
    [InlineData("model.embed_tokens.weight", true)]
    [InlineData("model.layers.0.input_layernorm.weight", true)]
    [InlineData("model.norm.weight", false)]
    [InlineData("lm_head.weight", false)]
    public void Needs_FirstStage_VisionAndEmbedding(string tensor, bool needed) =>
        Assert.Equal(needed, new StageTensorFilter(new LayerRange(0, 14), Untied).Needs(tensor));

    [Theory]
    [InlineData("model.norm.weight", true, true)]
    [InlineData("lm_head.weight", true, true)]
    [InlineData("model.embed_tokens.weight", true, true)]
    [InlineData("model.embed_tokens.weight", false, false)]
    [InlineData("visual.patch_embed.proj.weight", true, false)]
    public void Needs_LastStage_NormHeadAndTiedEmbedding(string tensor, bool tied, bool needed) =>
        Assert.Equal(needed, new StageTensorFilter(new LayerRange(14, 28), tied ? Tied : Untied).Needs(tensor));

    [Theory]
    [InlineData("model.language_model.layers.20.mlp.up_proj.weight", true)]
    [InlineData("model.language_model.layers.2.mlp.up_proj.weight", false)]
    [InlineData("model.visual.blocks.0.attn.qkv.weight", false)]
    [InlineData("model.language_model.norm.weight", true)]
    [InlineData("model.language_model.embed_tokens.weight", true)]
    public void Needs_NewerTransformersNaming_SameRules(string tensor, bool needed) =>
        Assert.Equal(needed, new StageTensorFilter(new LayerRange(14, 28), Tied).Needs(tensor));

    [Theory]
    [InlineData("0:14", 0, 14)]
    [InlineData("14:28", 14, 28)]
    public void Parse_StartColonEnd_GivesRange(string value, int start, int end) =>
        Assert.Equal(new LayerRange(start, end), LayerRange.Parse(value));

    [Theory]
    [InlineData("14")]
    [InlineData("5:5")]
    [InlineData("-1:3")]
    [InlineData("a:b")]
    public void Parse_Invalid_ThrowsFormatException(string value) =>
        Assert.Throws<FormatException>(() => LayerRange.Parse(value));
}
