using System.Text.Json;
using Qwen2VL.Processing.Text;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Text;

/// <summary>The checkpoint's chat template against the reference renderings, and the rendering tokenized.</summary>
public class ChatTemplateGoldenTests
{
    private static readonly Lazy<ChatTemplate> LazyTemplate = new(() => ChatTemplate.FromCheckpoint(TestPaths.Checkpoint));

    public static TheoryData<string> Names => TokenizerFixture.GoldenNames("chat_template");

    private static ChatTemplate Template => LazyTemplate.Value;

    [Theory]
    [MemberData(nameof(Names))]
    public void Render_GoldenConversation_MatchesReferenceText(string name)
    {
        JsonElement golden = Golden(name);
        Assert.Equal(golden.GetProperty("rendered").GetString(), RenderGolden(golden));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Encode_GoldenRendering_MatchesReferenceIds(string name)
    {
        JsonElement golden = Golden(name);
        int[] ids = TokenizerFixture.Tokenizer.Encode(golden.GetProperty("rendered").GetString()!, allowSpecialTokens: true);
        Assert.Equal(TokenizerFixture.Ints(golden.GetProperty("ids")), ids);
    }

    [Fact]
    public void FromCheckpoint_TinyCheckpoint_ReadsProcessorTemplate()
    {
        using JsonDocument file = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Checkpoint, "chat_template.json")));
        Assert.Equal(file.RootElement.GetProperty("chat_template").GetString(), Template.Source);
    }

    [Fact]
    public void Render_TypedMessagesWithVisionIds_MatchesReferenceText()
    {
        var messages = new List<ChatMessage>
        {
            new("user", [ChatContentPart.Image(), ChatContentPart.Image("file:///b.png"), ChatContentPart.Video(), ChatContentPart.FromText("Which is first?")]),
        };

        string rendered = Template.Render(messages, new ChatTemplateOptions { AddGenerationPrompt = true, AddVisionId = true });

        Assert.Equal(Golden("add_vision_id").GetProperty("rendered").GetString(), rendered);
    }

    [Fact]
    public void Render_UntypedImageUrlPart_CountsAsImage()
    {
        // The reference template checks keys as well as "type": {"image_url": ...} with no type is an image.
        var part = new ChatContentPart(new Dictionary<string, object?> { ["image_url"] = "http://x/y.jpg" });
        string rendered = Template.Render([new ChatMessage("user", [part])], new ChatTemplateOptions { AddGenerationPrompt = false });

        Assert.Contains("user\n<|vision_start|><|image_pad|><|vision_end|><|im_end|>", rendered, StringComparison.Ordinal);
    }

    private static JsonElement Golden(string name) => TokenizerFixture.Goldens.GetProperty("chat_template").EnumerateArray()
        .Single(e => e.GetProperty("name").GetString() == name);

    private static string RenderGolden(JsonElement golden)
    {
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = golden.GetProperty("messages"),
        };

        foreach (JsonProperty kwarg in golden.GetProperty("kwargs").EnumerateObject())
        {
            variables[kwarg.Name] = kwarg.Value;
        }

        return Template.Render(variables);
    }
}
