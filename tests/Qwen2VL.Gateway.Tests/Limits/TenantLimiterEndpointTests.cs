using System.Net;
using System.Text;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Limits;
using Qwen2VL.Gateway.Tests.Http;

namespace Qwen2VL.Gateway.Tests.Limits;

/// <summary>How the chat endpoint uses the tenant limiter: once per request, refusals as OpenAI errors, usage on release.</summary>
public sealed class TenantLimiterEndpointTests
{
    [Fact]
    public async Task ChatCompletions_Refused_Is429WithRetryAfterAndNothingRuns()
    {
        var backend = new ScriptedBackend();
        var limiter = new RecordingLimiter
        {
            Refusal = new ChatBackendException(ChatFailure.RateLimited, "3 of 3 requests", "requests_per_minute_exceeded") { RetryAfter = TimeSpan.FromSeconds(12.2) },
        };
        await using var server = await GatewayTestServer.StartAsync(backend, tenantLimiter: limiter);

        using var response = await PostAsync(server, """{"model": "m", "messages": [{"role": "user", "content": "hi"}]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(13), response.Headers.RetryAfter?.Delta);
        Assert.Contains("\"type\":\"rate_limit_error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(backend.Calls);
    }

    [Fact]
    public async Task ChatCompletions_NChoices_AdmittedOnceAndReleasedWithTheUsage()
    {
        var backend = new ScriptedBackend();
        var limiter = new RecordingLimiter { MaxContextTokens = 99 };
        await using var server = await GatewayTestServer.StartAsync(backend, tenantLimiter: limiter);

        using var response = await PostAsync(server, """{"model": "m", "n": 3, "max_tokens": 10, "messages": [{"role": "user", "content": "12345678"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (tenant, cost) = Assert.Single(limiter.Admitted);
        Assert.Equal("tenant-a", tenant);
        Assert.Equal(new RequestCost(0, 2 + 30), cost);
        Assert.All(backend.Calls, c => Assert.Equal(99, c.MaxContextTokens));
        Assert.Equal(new RequestUsage(20, 9, 0), Assert.Single(limiter.Released));
    }

    [Fact]
    public async Task ChatCompletions_BackendFails_ReleasedWithoutUsage()
    {
        var backend = new ScriptedBackend { FailBeforeFirstToken = new ChatBackendException(ChatFailure.Unavailable, "no pipeline") };
        var limiter = new RecordingLimiter();
        await using var server = await GatewayTestServer.StartAsync(backend, tenantLimiter: limiter);

        using var response = await PostAsync(server, """{"model": "m", "messages": [{"role": "user", "content": "hi"}]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(Assert.Single(limiter.Released));
    }

    [Fact]
    public void Of_TextImagesAndChoices_EstimatesPromptAndCompletion()
    {
        var messages = new[]
        {
            new Gateway.OpenAi.ChatMessage("user", [new Gateway.OpenAi.TextPart(new string('x', 400)), new Gateway.OpenAi.ImagePart("data:,", null), new Gateway.OpenAi.VideoPart("https://v", null)]),
        };

        var cost = RequestCost.Of(messages, maxTokens: null, choices: 2);

        Assert.Equal(new RequestCost(2, 100 + (2 * 256) + (2 * 256)), cost);
    }

    [Fact]
    public async Task ReleaseAsync_CalledTwice_ReleasesOnce()
    {
        var limiter = new RecordingLimiter();
        var permit = await limiter.AdmitAsync("t", new RequestCost(0, 1), CancellationToken.None);

        await permit.ReleaseAsync(new RequestUsage(1, 2, 0));
        await permit.DisposeAsync();

        Assert.Equal(new RequestUsage(1, 2, 0), Assert.Single(limiter.Released));
    }

    private static async Task<HttpResponseMessage> PostAsync(GatewayTestServer server, string body)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayTestServer.ApiKey);
        return await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
    }
}
