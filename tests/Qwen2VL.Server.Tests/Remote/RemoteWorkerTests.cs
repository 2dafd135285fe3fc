#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the API field is stable.
using System.ClientModel;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Qwen2VL.Server.Tests.EndToEnd;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>One <c>gateway,silo</c> process and one worker process, answering through the OpenAI API.</summary>
public sealed class RemoteWorkerTests : IClassFixture<OneWorkerCluster>
{
    private readonly OneWorkerCluster _fixture;

    public RemoteWorkerTests(OneWorkerCluster fixture) => _fixture = fixture;

    private RemoteCluster Cluster => _fixture.Cluster;

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
        Assert.True(Cluster.Workers[0].HasLine("generating request "), "the worker process did not serve the request");
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

    [Fact]
    public async Task CompleteChat_LogprobsOnRemoteWorker_ArriveOverTheWorkerApiAndMatchGolden()
    {
        var (prompt, _, _) = GoldenAnswers.For("a_text_only");
        var golden = GoldenLogprobs.ForCase("a_text_only");
        const int steps = 5;

        ChatCompletion completion = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage(prompt) },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = steps, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 });

        var logprobs = completion.ContentTokenLogProbabilities;
        Assert.Equal(steps, logprobs.Count);
        for (int i = 0; i < steps; i++)
        {
            Assert.Equal(GoldenLogprobs.TokenText(golden.Tokens[i]), logprobs[i].Token);
            Assert.Equal(golden.TopLogprobs[i][0], logprobs[i].LogProbability, GoldenLogprobs.Tolerance);
            Assert.Equal(2, logprobs[i].TopLogProbabilities.Count);
            Assert.Equal(golden.TopLogprobs[i][1], logprobs[i].TopLogProbabilities[1].LogProbability, GoldenLogprobs.Tolerance);
        }
    }

    [Fact]
    public async Task CompleteChat_FrameUrlVideoOnRemoteWorker_HasTheGoldenPromptLengthAndAnswer()
    {
        // The packed frame list travels inline in the worker request, marked by its media type.
        var (prompt, answer, tokens) = GoldenAnswers.For("d_video");
        var frames = Enumerable.Range(0, 8).Select(i =>
            $"\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(Path.Combine(TestPaths.Cases, "d_video", $"video0_frame{i}.png")))}\"");
        string body = $$"""
            {"model": "tiny", "max_tokens": {{tokens}}, "temperature": 0, "messages": [{"role": "user", "content": [
              {"type": "video", "video": [{{string.Join(",", frames)}}]}, {"type": "text", "text": {{JsonSerializer.Serialize(prompt)}}}]}]}
            """;
        using var http = new HttpClient { BaseAddress = Cluster.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", RemoteCluster.ApiKey);

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(answer, json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(GoldenTensors.ForCase("d_video")["input_ids"].Shape[1], json.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Session_SecondTurnOnRemoteWorker_ReusesItsCache()
    {
        using var http = new HttpClient { BaseAddress = Cluster.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", RemoteCluster.ApiKey);
        string session = "remote-" + Guid.NewGuid().ToString("n")[..8];

        using var first = await PostAsync(http, session, "first turn");
        using var second = await PostAsync(http, session, "second turn");

        var usage = second.RootElement.GetProperty("usage");
        int prompt = usage.GetProperty("prompt_tokens").GetInt32();
        int cached = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(cached > prompt / 2, $"expected most of the {prompt} prompt tokens from the worker's cache, got {cached}");
    }

    [Fact]
    public async Task CompleteChat_StatelessSecondRequestOnRemoteWorker_ReusesTheFirstRequestsCache()
    {
        string question = "remote question " + Guid.NewGuid().ToString("n")[..8];
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 };
        ChatCompletion first = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage(question) }, options);

        // The reuse keys travel in the worker request; the worker process holds the kept cache.
        ChatCompletion second = await Client().CompleteChatAsync(
            new ChatMessage[] { new UserChatMessage(question), new AssistantChatMessage(first.Content[0].Text), new UserChatMessage("and then?") }, options);

        Assert.InRange(second.Usage.InputTokenDetails.CachedTokenCount, first.Usage.InputTokenCount - 1, second.Usage.InputTokenCount - 1);
    }

    private static async Task<JsonDocument> PostAsync(HttpClient http, string session, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model": "tiny", "max_tokens": 4, "messages": [{"role": "user", "content": "{{text}}"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Session-Id", session);
        using var response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body);
    }
}

/// <summary>The cluster the <see cref="RemoteWorkerTests"/> share.</summary>
public sealed class OneWorkerCluster : IAsyncLifetime
{
    private RemoteCluster? _cluster;

    public RemoteCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    public async Task InitializeAsync() => _cluster = await RemoteCluster.StartAsync(workers: 1);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
