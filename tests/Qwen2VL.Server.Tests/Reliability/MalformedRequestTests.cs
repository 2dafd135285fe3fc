using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Qwen2VL.Server.Tests.EndToEnd;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>The malformed-request corpus against the whole embedded server: each gets its 4xx and the server keeps serving.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class MalformedRequestTests
{
    private readonly EmbeddedServer _server;

    public MalformedRequestTests(EmbeddedServer server) => _server = server;

    [Fact]
    public void Corpus_HasAtLeastAHundredDistinctCases()
    {
        Assert.True(MalformedRequestCorpus.All.Count >= 100, $"the corpus has {MalformedRequestCorpus.All.Count} cases");
        Assert.Equal(MalformedRequestCorpus.All.Count, MalformedRequestCorpus.All.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(MalformedRequestCorpus.Names), MemberType = typeof(MalformedRequestCorpus))]
    public async Task Send_MalformedRequest_GetsItsOpenAiError(string name)
    {
        var testCase = MalformedRequestCorpus.Named(name);
        using var http = Http();

        var (status, error) = await SendAsync(http, testCase);

        Assert.True(testCase.Status == status, $"{name}: expected {testCase.Status}, got {status}: {error}");
        Assert.Equal(testCase.Type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), $"{name}: empty message");
        Assert.True(error.TryGetProperty("param", out _), $"{name}: no param member");
        Assert.True(error.TryGetProperty("code", out var code), $"{name}: no code member");
        if (testCase.Code is not null)
        {
            Assert.Equal(testCase.Code, code.GetString());
        }
    }

    [Fact]
    public async Task Send_WholeCorpusAtOnce_ServerKeepsServing()
    {
        using var http = Http();
        var clock = Stopwatch.StartNew();

        var statuses = await Task.WhenAll(MalformedRequestCorpus.All.Select(async c => (c, (await SendAsync(http, c)).Status)));

        Assert.All(statuses, s => Assert.True(s.c.Status == s.Status, $"{s.c.Name}: expected {s.c.Status}, got {s.Status}"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the corpus took {clock.Elapsed}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model": "tiny", "max_tokens": 2, "messages": [{"role": "user", "content": "still serving?"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", EmbeddedServer.ApiKey);
        using var valid = await http.SendAsync(request);
        Assert.True(valid.IsSuccessStatusCode, await valid.Content.ReadAsStringAsync());
    }

    private HttpClient Http() => new() { BaseAddress = _server.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<(int Status, JsonElement Error)> SendAsync(HttpClient http, MalformedCase testCase)
    {
        using var request = testCase.Build();
        using var response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        JsonElement error;
        try
        {
            using var json = JsonDocument.Parse(body);
            error = json.RootElement.GetProperty("error").Clone();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException)
        {
            throw new Xunit.Sdk.XunitException($"{testCase.Name}: status {(int)response.StatusCode} without an OpenAI error body: '{body}'");
        }

        return ((int)response.StatusCode, error);
    }
}
