#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the API field is stable.
using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>One <c>gateway,silo</c> process and one worker process, answering through the OpenAI API.</summary>
public sealed class RemoteWorkerTests : IAsyncLifetime
{
    private RemoteCluster? _cluster;

    private RemoteCluster Cluster => _cluster!;

    public async Task InitializeAsync() => _cluster = await RemoteCluster.StartAsync(workers: 1);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private ChatClient Client() => new(RemoteCluster.ModelName, new ApiKeyCredential(RemoteCluster.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(Cluster.HttpAddress, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(60) });

    [Fact]
    public async Task CompleteChat_GreedyOnRemoteWorker_EqualsDecodedGoldenTokens()
    {
        var (prompt, answer, tokens) = GoldenAnswers.For("a_text_only");

        ChatCompletion completion = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage(prompt) },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = tokens });

        Assert.Equal(answer, completion.Content[0].Text);
        Assert.Equal(tokens, completion.Usage.OutputTokenCount);
        Assert.Single(Cluster.Workers, w => w.HasLine("generating request "));
    }

    [Fact]
    public async Task CompleteChatStreaming_ImageOnRemoteWorker_StreamsTheGoldenAnswer()
    {
        // No Redis here: the silo's media store is its own memory, so the image bytes travel in the worker request.
        var (prompt, answer, tokens) = GoldenAnswers.For("b1_100x60");
        byte[] png = await File.ReadAllBytesAsync(Path.Combine(TestPaths.Cases, "b1_100x60", "input0.png"));
        var text = new StringBuilder();

        await foreach (var update in Client().CompleteChatStreamingAsync(
            new ChatMessage[] { new UserChatMessage(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"), ChatMessageContentPart.CreateTextPart(prompt)) },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = tokens }))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal(answer, text.ToString());
    }
}
