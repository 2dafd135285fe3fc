using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;
using Qwen2VL.Server.Tests.Remote;
using Xunit.Abstractions;
using static Qwen2VL.Server.Tests.Reliability.ApiCalls;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>
/// A secondary silo holding a session dies by SIGKILL, between turns (HTTP) and mid-answer (gRPC): the session comes
/// back on the primary from Redis with every completed turn, the client sees a completed answer or a clear retriable
/// error (never a hang), and a retry under the same idempotency key is stored exactly once.
/// </summary>
public sealed class SiloFailoverTests : IClassFixture<SiloFailoverCluster>
{
    /// <summary>Longer than any request may take here, even across a silo's death: a request still open after it hangs.</summary>
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(45);

    /// <summary>Within this after the kill the client holds an answer (retries included).</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(40);

    /// <summary>
    /// What a client may be told while a dead silo's grains come back: the cluster is unavailable, or — for up to one
    /// worker heartbeat — that no pipeline is known, when the worker directory's activation was lost with the silo
    /// too and its new one has not heard from the workers yet.
    /// </summary>
    private static readonly string[] RetriableCodes = ["cluster_unavailable", "control_plane_timeout", "no_pipeline"];

    /// <summary>The refusals the gateway's own retries are there to spare the client.</summary>
    private static readonly string[] SiloDeathCodes = ["cluster_unavailable", "control_plane_timeout"];

    /// <summary>
    /// Answer tokens of the turn killed mid-answer: more than reach a client that stopped reading within a second
    /// (a few hundred here), so the turn is still open when its silo dies; few enough to regenerate in seconds.
    /// </summary>
    private const int StoryTokens = 2000;

    private readonly SiloFailoverCluster _cluster;
    private readonly ITestOutputHelper _output;

    public SiloFailoverTests(SiloFailoverCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static Metadata Auth => new() { { "authorization", $"Bearer {SiloFailoverCluster.ApiKey}" } };

    private static string Turn(string text) =>
        $$"""{"model": "tiny", "max_tokens": 8, "temperature": 0, "messages": [{"role": "user", "content": "{{text}}"}]}""";

    [Fact]
    public async Task SessionTurn_SiloHoldingTheSessionKilledBetweenTurns_NextTurnIsAnsweredOnTheSurvivorWithTheWholeHistory()
    {
        string session = "between-" + Guid.NewGuid().ToString("n")[..8];
        await using var secondary = await PlaceSessionOnNewSecondaryAsync(session);
        using var http = Client(_cluster.HttpAddress, SiloFailoverCluster.ApiKey, RequestBound);
        string first = Text(await SucceedAsync(http, Chat(Turn("first question"), "first-" + session, session)));

        int logLine = _cluster.Primary.Output.Split('\n').Length;
        secondary.Kill();
        var clock = Stopwatch.StartNew();
        var (second, refusals) = await AnswerEventuallyAsync(http, () => Chat(Turn("second question"), "second-" + session, session));
        _output.WriteLine($"after the kill the next turn was answered in {clock.Elapsed.TotalSeconds:0.0} s, refused first with [{string.Join(", ", refusals)}]");
        WriteRetries(logLine);

        // Orleans declares the silo dead well within the gateway's retry deadline, so the gateway waits that out itself.
        Assert.DoesNotContain(refusals, SiloDeathCodes.Contains);
        await AssertHistoryAsync(session, ("first question", first), ("second question", second));
        // The same key again replays the stored turn: nothing is generated or stored twice.
        Assert.Equal(second, Text(await SucceedAsync(http, Chat(Turn("second question"), "second-" + session, session))));
        await AssertHistoryAsync(session, ("first question", first), ("second question", second));
    }

    [Fact]
    public async Task StreamedSessionTurn_SiloKilledMidAnswer_CallEndsUnavailableAndTheRetryIsStoredOnce()
    {
        string session = "midstream-" + Guid.NewGuid().ToString("n")[..8];
        await using var secondary = await PlaceSessionOnNewSecondaryAsync(session);
        using var http = Client(_cluster.HttpAddress, SiloFailoverCluster.ApiKey, RequestBound);
        string first = Text(await SucceedAsync(http, Chat(Turn("first question"), "first-" + session, session)));
        using var channel = GrpcChannel.ForAddress(_cluster.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var story = new ChatRequest
        {
            SessionId = session,
            RequestId = "story-" + session,
            Message = new Message { Role = Role.User, Content = { new ContentPart { Text = "tell a long story" } } },
            Sampling = new SamplingOptions { MaxTokens = StoryTokens, Temperature = 0 },
        };

        int logLine = _cluster.Primary.Output.Split('\n').Length;
        var (partial, failure, afterKill) = await ReadUntilKilledAsync(client, story, secondary);
        _output.WriteLine($"the call failed {afterKill.TotalSeconds:0.0} s after the kill, {partial.Length} characters in: {failure.Status}");

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        var status = failure.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Contains(status.GetDetail<ErrorInfo>()?.Reason.ToLowerInvariant(), SiloDeathCodes);
        Assert.NotNull(status.GetDetail<RetryInfo>());
        Assert.True(afterKill < TimeSpan.FromSeconds(20), $"the call took {afterKill.TotalSeconds:0.0} s to report the dead silo");
        await AssertHistoryAsync(session, ("first question", first));

        var clock = Stopwatch.StartNew();
        var (answer, refusals) = await AnswerEventuallyAsync(client, story);
        _output.WriteLine($"the retry was answered {clock.Elapsed.TotalSeconds:0.0} s after the failure, after {refusals} UNAVAILABLE answers");
        WriteRetries(logLine);

        // Greedy decoding: the turn generated again from the stored history begins with what the client saw.
        Assert.StartsWith(partial, answer, StringComparison.Ordinal);
        await AssertHistoryAsync(session, ("first question", first), ("tell a long story", answer));
    }

    /// <summary>Starts a secondary silo and activates the session's grain on it, checking where the cluster put it.</summary>
    private async Task<ServerProcess> PlaceSessionOnNewSecondaryAsync(string session)
    {
        var (secondary, siloPort) = await _cluster.StartSecondaryAsync("secondary-" + session);
        try
        {
            await using var inspector = await ClusterInspector.ConnectAsync(_cluster.Redis.Endpoint, _cluster.ClusterId);
            var silo = await inspector.WaitForActiveSiloAsync(siloPort, TimeSpan.FromSeconds(30));
            var placed = await inspector.ActivateSessionOnAsync(silo, SiloFailoverCluster.TenantId, session);
            Assert.True(silo.Equals(placed), $"session {session} was activated on {placed}, not on the secondary {silo}");
            return secondary;
        }
        catch
        {
            await secondary.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends until the turn is answered, as a client should: a 503 carries a retriable code and Retry-After, and the
    /// same request (same idempotency key) is sent again. Fails when the answer takes longer than the bound.
    /// </summary>
    private static async Task<(string Text, List<string> Refusals)> AnswerEventuallyAsync(HttpClient http, Func<HttpRequestMessage> request)
    {
        var clock = Stopwatch.StartNew();
        var refusals = new List<string>();
        while (true)
        {
            using var message = request();
            using var response = await http.SendAsync(message);
            string body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(body);
                return (Text(json), refusals);
            }

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            using (var json = JsonDocument.Parse(body))
            {
                string? code = json.RootElement.GetProperty("error").GetProperty("code").GetString();
                Assert.Contains(code, RetriableCodes);
                refusals.Add(code!);
            }

            var retryAfter = response.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.True(clock.Elapsed < RecoveryBound, $"still refused after {clock.Elapsed.TotalSeconds:0.0} s: {body}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// Reads the first delta of a streamed turn, then stops reading, which holds the turn mid-answer: Orleans streams
    /// a grain's answer only as fast as the gateway pulls it, and the gateway writes to this call only as fast as
    /// HTTP/2 flow control lets it. Then kills <paramref name="silo"/>, which holds the session, and reads on to the end.
    /// </summary>
    private async Task<(string Partial, RpcException Failure, TimeSpan AfterKill)> ReadUntilKilledAsync(
        ChatService.ChatServiceClient client, ChatRequest request, ServerProcess silo)
    {
        using var call = client.Chat(request, Auth, DateTime.UtcNow.Add(RequestBound));
        var text = new StringBuilder();
        Assert.True(await call.ResponseStream.MoveNext(), "the turn ended before its first delta");
        text.Append(call.ResponseStream.Current.Delta.Text);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(silo.HasLine($"stored request {request.RequestId} "),
            $"the turn was stored before the kill: more than {StoryTokens} deltas fit in the buffers between the silo and this call");

        silo.Kill();
        var sinceKill = Stopwatch.StartNew();
        try
        {
            while (await call.ResponseStream.MoveNext())
            {
                Assert.Equal(ChatResponse.EventOneofCase.Delta, call.ResponseStream.Current.EventCase);
                text.Append(call.ResponseStream.Current.Delta.Text);
            }
        }
        catch (RpcException e)
        {
            return (text.ToString(), e, sinceKill.Elapsed);
        }

        throw new InvalidOperationException($"the call ended without an error although its silo was killed; {text.Length} characters");
    }

    /// <summary>Sends the turn until it is answered, retrying UNAVAILABLE as a client should; fails past the bound.</summary>
    private static async Task<(string Text, int Refusals)> AnswerEventuallyAsync(ChatService.ChatServiceClient client, ChatRequest request)
    {
        var clock = Stopwatch.StartNew();
        for (int refusals = 0; ; refusals++)
        {
            try
            {
                using var call = client.Chat(request, Auth, DateTime.UtcNow.Add(RequestBound));
                await foreach (var response in call.ResponseStream.ReadAllAsync())
                {
                    if (response.EventCase == ChatResponse.EventOneofCase.Final)
                    {
                        return (response.Final.Text, refusals);
                    }
                }

                throw new InvalidOperationException("the turn ended without a final message");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                Assert.True(clock.Elapsed < RecoveryBound, $"still unavailable after {clock.Elapsed.TotalSeconds:0.0} s: {e.Status}");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>The session as the cluster holds it now: exactly these turns, in order, each answer as the client got it.</summary>
    private async Task AssertHistoryAsync(string session, params (string Question, string Answer)[] turns)
    {
        using var channel = GrpcChannel.ForAddress(_cluster.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var stored = await client.GetSessionAsync(new GetSessionRequest { SessionId = session }, Auth, DateTime.UtcNow.Add(RequestBound));

        var expected = turns.SelectMany(t => new[] { (Role.User, t.Question), (Role.Assistant, t.Answer) }).ToList();
        Assert.Equal(expected, stored.History.Select(m => (m.Role, string.Concat(m.Content.Select(p => p.Text)))).ToList());
    }

    /// <summary>The gateway's retry lines from the primary's log since <paramref name="fromLine"/>, for the record.</summary>
    private void WriteRetries(int fromLine)
    {
        foreach (string line in _cluster.Primary.Output.Split('\n').Skip(fromLine).Where(l => l.Contains("retrying while the cluster recovers", StringComparison.Ordinal) || l.Contains("gave up", StringComparison.Ordinal)
            || l.Contains("registered", StringComparison.Ordinal) || l.Contains("status 503", StringComparison.Ordinal)))
        {
            _output.WriteLine(line);
        }
    }
}
