using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;
using Qwen2VL.Server.Tests.EndToEnd;
using static Qwen2VL.Server.Tests.Reliability.ApiCalls;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>Retries with an <c>Idempotency-Key</c> through the HTTP API of the embedded server: the engine runs once.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class IdempotencyTests
{
    // Sampled, not greedy: a second generation would almost surely differ, so equal texts mean a replay.
    private const string Sampled = """{"model": "tiny", "max_tokens": 12, "temperature": 1.0, "messages": [{"role": "user", "content": "tell me something"}]}""";

    private readonly EmbeddedServer _server;

    public IdempotencyTests(EmbeddedServer server) => _server = server;

    [Fact]
    public async Task Stateless_RetryWithTheSameKey_ReturnsTheFirstAnswerWithoutGenerating()
    {
        using var http = Client(_server.HttpAddress, TestTenants.IdempotencyKey);
        string key = "retry-" + Guid.NewGuid().ToString("n");
        using var engine = new EngineRunCounter();

        using var first = await SucceedAsync(http, Chat(Sampled, key));
        using var second = await SucceedAsync(http, Chat(Sampled, key));

        Assert.Equal(Text(first), Text(second));
        Assert.Equal(first.RootElement.GetProperty("usage").ToString(), second.RootElement.GetProperty("usage").ToString());
        Assert.Equal(1, engine.Finished);
    }

    [Fact]
    public async Task Stateless_StreamedRetryWithTheSameKey_StreamsTheFirstAnswer()
    {
        using var http = Client(_server.HttpAddress, TestTenants.IdempotencyKey);
        string key = "stream-" + Guid.NewGuid().ToString("n");
        string body = Sampled.Replace("\"max_tokens\": 12", "\"max_tokens\": 12, \"stream\": true", StringComparison.Ordinal);
        using var engine = new EngineRunCounter();

        string first = await StreamedTextAsync(http, Chat(body, key));
        string second = await StreamedTextAsync(http, Chat(body, key));

        Assert.Equal(first, second);
        Assert.Equal(1, engine.Finished);
    }

    [Fact]
    public async Task Stateless_SameKeyWithAnotherRequest_Is400()
    {
        using var http = Client(_server.HttpAddress, TestTenants.IdempotencyKey);
        string key = "reuse-" + Guid.NewGuid().ToString("n");
        (await SucceedAsync(http, Chat(Sampled, key))).Dispose();

        var (status, error, response) = await FailAsync(http, Chat(Sampled.Replace("something", "something else", StringComparison.Ordinal), key));

        response.Dispose();
        Assert.Equal(400, status);
        Assert.Equal("idempotency_key_reused", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Stateless_SameKeyFromAnotherTenant_IsItsOwnRequest()
    {
        string key = "shared-" + Guid.NewGuid().ToString("n");
        using var mine = Client(_server.HttpAddress, TestTenants.IdempotencyKey);
        using var theirs = Client(_server.HttpAddress, EmbeddedServer.OtherTenantKey);
        using var engine = new EngineRunCounter();

        (await SucceedAsync(mine, Chat(Sampled, key))).Dispose();
        (await SucceedAsync(theirs, Chat(Sampled, key))).Dispose();

        Assert.Equal(2, engine.Finished);
    }

    [Fact]
    public async Task Session_RetryWithTheSameKey_ReplaysAndStoresTheTurnOnce()
    {
        using var http = Client(_server.HttpAddress, TestTenants.IdempotencyKey);
        string session = "idem-" + Guid.NewGuid().ToString("n")[..12];
        string key = "turn-" + Guid.NewGuid().ToString("n");
        using var engine = new EngineRunCounter();

        using var first = await SucceedAsync(http, Chat(Sampled, key, session));
        using var second = await SucceedAsync(http, Chat(Sampled, key, session));

        Assert.Equal(Text(first), Text(second));
        Assert.Equal(1, engine.Finished);
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var stored = await new ChatService.ChatServiceClient(channel).GetSessionAsync(new GetSessionRequest { SessionId = session },
            new Metadata { { "authorization", $"Bearer {TestTenants.IdempotencyKey}" } });
        Assert.Equal(new[] { Role.User, Role.Assistant }, stored.History.Select(m => m.Role));
    }

    private static async Task<string> StreamedTextAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var text = new StringBuilder();
            foreach (string line in body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
            {
                using var chunk = System.Text.Json.JsonDocument.Parse(line[6..]);
                foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
                {
                    if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == System.Text.Json.JsonValueKind.String)
                    {
                        text.Append(content.GetString());
                    }
                }
            }

            Assert.Contains("data: [DONE]", body, StringComparison.Ordinal);
            return text.ToString();
        }
    }
}
