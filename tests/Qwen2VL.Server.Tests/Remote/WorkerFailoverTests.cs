using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;
using Xunit.Abstractions;

namespace Qwen2VL.Server.Tests.Remote;

/// <summary>Two worker processes behind one <c>gateway,silo</c> process; workers die by SIGKILL mid-stream.</summary>
public sealed partial class WorkerFailoverTests
{
    // Long enough (about 2 s on the tiny model) that the answer is still streaming when the worker is killed after
    // the first delta; the continuation the other worker gets proves it was.
    private const int AnswerTokens = 400;

    private readonly ITestOutputHelper _output;

    public WorkerFailoverTests(ITestOutputHelper output) => _output = output;

    private static Metadata Auth => new() { { "authorization", $"Bearer {RemoteCluster.ApiKey}" } };

    [Fact]
    public async Task SessionTurn_ServingWorkerKilledMidStream_ContinuesOnTheOtherWorkerThenNoWorkerIs503()
    {
        await using var cluster = await RemoteCluster.StartAsync(workers: 2);
        using var channel = GrpcChannel.ForAddress(cluster.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var session = await client.CreateSessionAsync(new CreateSessionRequest { Model = RemoteCluster.ModelName }, Auth);
        string requestId = "turn-" + Guid.NewGuid().ToString("n");
        var clock = Stopwatch.StartNew();

        var (text, final, killed) = await RunTurnAsync(cluster, client, session.SessionId, requestId);
        var survivor = cluster.Workers.Single(w => w != killed);
        int continuation = ContinuationOf(survivor, requestId);
        _output.WriteLine($"turn of {final.Usage.CompletionTokens} tokens took {clock.Elapsed.TotalSeconds:0.0} s; {continuation} tokens before the kill");

        Assert.True(survivor.HasLine($"generating request {requestId} "), "the turn did not move to the other worker");
        Assert.InRange(continuation, 1, AnswerTokens - 1);
        Assert.Equal(FinishReason.Length, final.FinishReason);
        Assert.Equal(AnswerTokens, final.Usage.CompletionTokens);
        Assert.Equal(final.Text, text);
        var stored = await client.GetSessionAsync(new GetSessionRequest { SessionId = session.SessionId }, Auth);
        Assert.Equal(new[] { Role.User, Role.Assistant }, stored.History.Select(m => m.Role));
        Assert.Equal(text, stored.History[1].Content[0].Text);

        // Greedy decoding on one worker without interruption gives the same answer: nothing lost, nothing repeated.
        var reference = await client.CreateSessionAsync(new CreateSessionRequest { Model = RemoteCluster.ModelName }, Auth);
        var (uninterrupted, _, _) = await RunTurnAsync(cluster, client, reference.SessionId, "reference-" + requestId, kill: false);
        Assert.Equal(uninterrupted, text);

        survivor.Kill();
        clock.Restart();
        using var http = new HttpClient { BaseAddress = cluster.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", RemoteCluster.ApiKey);
        using var response = await http.PostAsync("/v1/chat/completions",
            new StringContent("""{"model": "tiny", "max_tokens": 4, "messages": [{"role": "user", "content": "anyone there?"}]}""", Encoding.UTF8, "application/json"));
        _output.WriteLine($"with no worker left the answer took {clock.Elapsed.TotalSeconds:0.00} s: {(int)response.StatusCode}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the 503 took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<(string Text, Final Final, ServerProcess? Killed)> RunTurnAsync(
        RemoteCluster cluster, ChatService.ChatServiceClient client, string sessionId, string requestId, bool kill = true)
    {
        var request = new ChatRequest
        {
            SessionId = sessionId,
            RequestId = requestId,
            Message = new Message { Role = Role.User, Content = { new ContentPart { Text = "Tell me a long story about a lighthouse." } } },
            Sampling = new SamplingOptions { MaxTokens = AnswerTokens, Temperature = 0 },
        };
        using var call = client.Chat(request, Auth);
        var text = new StringBuilder();
        Final? final = null;
        ServerProcess? killed = null;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            if (response.EventCase == ChatResponse.EventOneofCase.Delta)
            {
                text.Append(response.Delta.Text);
                if (kill && killed is null)
                {
                    killed = await cluster.WorkerServingAsync(requestId);
                    killed.Kill();
                }
            }
            else if (response.EventCase == ChatResponse.EventOneofCase.Final)
            {
                final = response.Final;
            }
        }

        return (text.ToString(), final ?? throw new InvalidOperationException("the stream ended without a final message"), killed);
    }

    /// <summary>How many continuation tokens <paramref name="worker"/> was given for the request, from its log.</summary>
    private static int ContinuationOf(ServerProcess worker, string requestId)
    {
        var match = ContinuationLine().Matches(worker.Output).FirstOrDefault(m => m.Groups["id"].Value == requestId);
        return match is null ? 0 : int.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"generating request (?<id>\S+) for \S+ \((?<count>\d+) continuation tokens\)")]
    private static partial Regex ContinuationLine();
}
