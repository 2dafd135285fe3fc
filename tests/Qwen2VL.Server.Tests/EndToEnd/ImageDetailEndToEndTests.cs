using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using Qwen2VL.Processing.Images;
using Qwen2VL.Server.Frontend;
using Qwen2VL.Server.Tests.Reliability;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>OpenAI's <c>image_url.detail</c> through the official SDK, on a server with the released checkpoints' pixel budget.</summary>
public sealed class ImageDetailEndToEndTests : IClassFixture<FullPixelBudgetServer>
{
    private const int Width = 640;
    private const int Height = 480;
    private const string Question = "Describe it.";
    private readonly FullPixelBudgetServer _server;

    public ImageDetailEndToEndTests(FullPixelBudgetServer server) => _server = server;

    private ChatClient Client() => new(_server.ModelName, new ApiKeyCredential(EmbeddedServer.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(_server.HttpAddress, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(60) });

    [Fact]
    public async Task CompleteChat_DetailLowOnABigImage_HasFewerPromptTokensThanHighExactlyAsSmartResizeSays()
    {
        byte[] png = TestImages.Png(Width, Height);
        int textOnly = await PromptTokensAsync(new UserChatMessage(Question));
        int lowTokens = VisionTokenRules.Image(_server.Checkpoint, Height, Width, new ImageSizeRequest { MaxPixels = MediaOptionsMapping.LowDetailMaxPixels });
        int highTokens = VisionTokenRules.Image(_server.Checkpoint, Height, Width);

        int low = await PromptTokensAsync(ImageMessage(png, ChatImageDetailLevel.Low));
        int high = await PromptTokensAsync(ImageMessage(png, ChatImageDetailLevel.High));
        int auto = await PromptTokensAsync(ImageMessage(png, ChatImageDetailLevel.Auto));

        // Vision start and end markers, then one pad per merged patch.
        Assert.Equal(textOnly + 2 + lowTokens, low);
        Assert.Equal(textOnly + 2 + highTokens, high);
        Assert.Equal(high, auto);
        Assert.True(lowTokens <= 256 && lowTokens < highTokens, $"low detail gave {lowTokens} vision tokens, high {highTokens}");
    }

    private static UserChatMessage ImageMessage(byte[] png, ChatImageDetailLevel detail) => new(
        ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png", detail),
        ChatMessageContentPart.CreateTextPart(Question));

    private async Task<int> PromptTokensAsync(ChatMessage message)
    {
        ChatCompletion completion = await Client().CompleteChatAsync(new[] { message }, new ChatCompletionOptions { MaxOutputTokenCount = 1 });
        return completion.Usage.InputTokenCount;
    }
}
