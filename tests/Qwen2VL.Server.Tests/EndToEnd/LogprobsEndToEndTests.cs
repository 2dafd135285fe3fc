using System.ClientModel;
using Grpc.Core;
using Grpc.Net.Client;
using OpenAI;
using OpenAI.Chat;
using Qwen2VL.Api.V1;
using Qwen2VL.Server.Tests.Remote;
using ApiMessage = Qwen2VL.Api.V1.Message;
using ChatMessage = OpenAI.Chat.ChatMessage;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>
/// Logprobs through the whole embedded server (gateway, grains, in-process worker, engine), checked against the
/// reference's logits of the golden greedy decode.
/// </summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class LogprobsEndToEndTests
{
    private const string Case = "a_text_only";
    private readonly EmbeddedServer _server;

    public LogprobsEndToEndTests(EmbeddedServer server) => _server = server;

    private ChatClient Client() => new(_server.ModelName, new ApiKeyCredential(EmbeddedServer.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(_server.HttpAddress, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(60) });

    [Fact]
    public async Task CompleteChat_GreedyWithTopLogprobs_MatchesGoldenLogitsAndChosenIsTopOne()
    {
        var (prompt, _, steps) = GoldenAnswers.For(Case);
        var golden = GoldenLogprobs.ForCase(Case);

        ChatCompletion completion = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage(prompt) },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = steps, IncludeLogProbabilities = true, TopLogProbabilityCount = 5 });

        AssertGolden(golden, completion.ContentTokenLogProbabilities, steps);
    }

    [Fact]
    public async Task CompleteChatStreaming_Logprobs_ArriveWithTheDeltasAndMatchGolden()
    {
        var (prompt, _, _) = GoldenAnswers.For(Case);
        var golden = GoldenLogprobs.ForCase(Case);
        const int steps = 6;
        var received = new List<ChatTokenLogProbabilityDetails>();

        await foreach (var update in Client().CompleteChatStreamingAsync(new ChatMessage[] { new UserChatMessage(prompt) },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = steps, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 }))
        {
            received.AddRange(update.ContentTokenLogProbabilities);
        }

        AssertGolden(golden, received, steps);
    }

    [Fact]
    public async Task CompleteChat_WithoutLogprobs_ReportsNone()
    {
        ChatCompletion completion = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage("no logprobs") },
            new ChatCompletionOptions { MaxOutputTokenCount = 3 });

        Assert.Empty(completion.ContentTokenLogProbabilities);
    }

    [Fact]
    public async Task GrpcGenerate_Logprobs_ArriveInTheDeltasAndMatchGolden()
    {
        var (prompt, _, _) = GoldenAnswers.For(Case);
        var golden = GoldenLogprobs.ForCase(Case);
        const int steps = 4;
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var request = new GenerateRequest
        {
            Model = _server.ModelName,
            Messages = { new ApiMessage { Role = Role.User, Content = { new ContentPart { Text = prompt } } } },
            Sampling = new SamplingOptions { Temperature = 0, MaxTokens = steps, Logprobs = true, TopLogprobs = 3 },
        };

        using var call = client.Generate(request, new Metadata { { "authorization", $"Bearer {EmbeddedServer.ApiKey}" } });
        var logprobs = new List<Qwen2VL.Api.V1.TokenLogprob>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            if (response.EventCase == ChatResponse.EventOneofCase.Delta)
            {
                logprobs.AddRange(response.Delta.Logprobs);
            }
        }

        Assert.Equal(steps, logprobs.Count);
        for (int i = 0; i < steps; i++)
        {
            Assert.Equal(GoldenLogprobs.TokenText(golden.Tokens[i]), logprobs[i].Token);
            Assert.Equal(golden.TopLogprobs[i][0], logprobs[i].Logprob, GoldenLogprobs.Tolerance);
            Assert.Equal(golden.TopLogprobs[i].Take(3), logprobs[i].Top.Select(t => t.Logprob), new ToleranceComparer(GoldenLogprobs.Tolerance));
        }
    }

    /// <summary>
    /// Each step: the chosen token is the golden greedy token, its logprob is at most 0 and equals the golden one, the
    /// alternatives are sorted best first with golden values, and the greedy choice is the first alternative.
    /// </summary>
    private static void AssertGolden(GoldenLogprobs golden, IReadOnlyList<ChatTokenLogProbabilityDetails> received, int steps)
    {
        Assert.Equal(steps, received.Count);
        for (int i = 0; i < steps; i++)
        {
            var step = received[i];
            Assert.Equal(GoldenLogprobs.TokenText(golden.Tokens[i]), step.Token);
            Assert.True(step.LogProbability <= 0, $"step {i}: logprob {step.LogProbability} is positive");
            Assert.Equal(golden.TopLogprobs[i][0], step.LogProbability, GoldenLogprobs.Tolerance);
            Assert.NotEmpty(step.TopLogProbabilities);
            var top = step.TopLogProbabilities.Select(t => t.LogProbability).ToList();
            Assert.Equal(top.OrderByDescending(v => v), top);
            Assert.Equal(golden.TopLogprobs[i].Take(top.Count), top, new ToleranceComparer(GoldenLogprobs.Tolerance));
            Assert.Equal(step.Token, step.TopLogProbabilities[0].Token);
            Assert.Equal(step.LogProbability, step.TopLogProbabilities[0].LogProbability);
        }
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
