using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;
using StackExchange.Redis;
using static Qwen2VL.Server.Tests.Reliability.ApiCalls;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>Redis going away under a running server, and coming back.</summary>
[Collection(RedisBackedServerCollection.Name)]
public sealed class RedisOutageTests
{
    /// <summary>Longer than any answer may take: a request still waiting after this is hanging.</summary>
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(10);

    private readonly RedisBackedServer _server;

    public RedisOutageTests(RedisBackedServer server) => _server = server;

    private static string Turn(string text) => $$"""{"model": "tiny", "max_tokens": 3, "messages": [{"role": "user", "content": "{{text}}"}]}""";

    [Fact]
    public async Task Requests_WhileRedisIsDown_Fail503FastAndSessionsSurviveTheRestart()
    {
        using var http = Client(_server.HttpAddress, RedisBackedServer.ApiKey, RequestBound);
        string session = "outage-" + Guid.NewGuid().ToString("n")[..8];
        (await SucceedAsync(http, Chat(Turn("turn one before"), sessionId: session))).Dispose();
        (await SucceedAsync(http, Chat(Turn("turn two before"), sessionId: session))).Dispose();

        _server.Redis.Stop();
        try
        {
            var refusal = await FirstRefusalAsync(http, () => Chat(Turn("stateless during")));
            Assert.Equal("state_store_unavailable", refusal.Code);
            Assert.NotNull(refusal.RetryAfter);
            Assert.True(refusal.Took < TimeSpan.FromSeconds(2), $"a refusal took {refusal.Took}");

            var clock = Stopwatch.StartNew();
            var (status, error, response) = await FailAsync(http, Chat(Turn("turn lost during"), sessionId: session));
            response.Dispose();
            Assert.Equal(503, status);
            Assert.Equal("service_unavailable_error", error.GetProperty("type").GetString());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the session turn took {clock.Elapsed} to be refused");
            var (usageStatus, _, usageResponse) = await FailAsync(http, new HttpRequestMessage(HttpMethod.Get, "/v1/usage"));
            usageResponse.Dispose();
            Assert.Equal(503, usageStatus);
            await AssertGrpcUnavailableAsync(session);
        }
        finally
        {
            _server.Redis.Restart();
        }

        // Each of the server's Redis connections comes back on its own schedule; until all have, a request may still
        // get the retriable 503. A client retries the same turn under one idempotency key, so it is stored once.
        await RetryUntilServedAsync(http, () => Chat(Turn("turn three after"), idempotencyKey: "after-" + session, sessionId: session));
        await AssertPersistedHistoryAsync(session, ["turn one before", "turn two before", "turn three after"], notStored: "turn lost during");
    }

    /// <summary>Sends until the gate notices the outage (at once, but the client may need a moment to see the socket close).</summary>
    private static async Task<(string? Code, TimeSpan? RetryAfter, TimeSpan Took)> FirstRefusalAsync(HttpClient http, Func<HttpRequestMessage> request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var clock = Stopwatch.StartNew();
            using var message = request();
            using var response = await http.SendAsync(message);
            clock.Stop();
            string body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                using var json = System.Text.Json.JsonDocument.Parse(body);
                return (json.RootElement.GetProperty("error").GetProperty("code").GetString(), response.Headers.RetryAfter?.Delta, clock.Elapsed);
            }

            Assert.True(response.IsSuccessStatusCode, $"during the outage a request got {(int)response.StatusCode}, not 503: {body}");
            Assert.True(DateTime.UtcNow < deadline, "requests still succeeded 10 s after Redis stopped");
            await Task.Delay(50);
        }
    }

    private async Task AssertGrpcUnavailableAsync(string session)
    {
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var headers = new Metadata { { "authorization", $"Bearer {RedisBackedServer.ApiKey}" } };
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetSessionAsync(new GetSessionRequest { SessionId = session }, headers, DateTime.UtcNow.Add(RequestBound)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    private static async Task RetryUntilServedAsync(HttpClient http, Func<HttpRequestMessage> request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var message = request();
            using var response = await http.SendAsync(message);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.True(DateTime.UtcNow < deadline, "the server did not serve again within 30 s of Redis restarting");
            await Task.Delay(200);
        }
    }

    /// <summary>Reads the session's stored state straight from Redis, so what the grain holds in memory cannot stand in for it.</summary>
    private async Task AssertPersistedHistoryAsync(string session, string[] stored, string notStored)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(_server.Redis.Endpoint);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = server.Keys(pattern: $"*{session}*").ToList();
        var texts = new List<string>();
        foreach (var key in keys)
        {
            var type = await redis.GetDatabase().KeyTypeAsync(key);
            texts.AddRange(type == RedisType.Hash
                ? (await redis.GetDatabase().HashGetAllAsync(key)).Select(e => e.Value.ToString())
                : [(await redis.GetDatabase().StringGetAsync(key)).ToString()]);
        }

        string persisted = string.Join("\n", texts);
        Assert.True(keys.Count > 0, $"no Redis key names session {session}");
        foreach (string text in stored)
        {
            Assert.Contains(text, persisted, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(notStored, persisted, StringComparison.Ordinal);
    }
}
