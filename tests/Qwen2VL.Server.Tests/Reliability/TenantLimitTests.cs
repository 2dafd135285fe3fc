using System.Net;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;
using Qwen2VL.Server.Tests.EndToEnd;
using static Qwen2VL.Server.Tests.Reliability.ApiCalls;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>Per-tenant limits through both APIs of the embedded server, and the usage they record.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class TenantLimitTests
{
    private const string Short = """{"model": "tiny", "max_tokens": 2, "messages": [{"role": "user", "content": "hi"}]}""";

    private readonly EmbeddedServer _server;

    public TenantLimitTests(EmbeddedServer server) => _server = server;

    [Fact]
    public async Task ChatCompletions_RequestsPerMinuteReached_Is429WithRetryAfter()
    {
        using var http = Client(_server.HttpAddress, TestTenants.RpmKey);
        (await SucceedAsync(http, Chat(Short))).Dispose();
        (await SucceedAsync(http, Chat(Short))).Dispose();

        var (status, error, response) = await FailAsync(http, Chat(Short));

        using (response)
        {
            Assert.Equal(429, status);
            Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
            Assert.Equal("requests_per_minute_exceeded", error.GetProperty("code").GetString());
            Assert.Contains("2 of 2 requests", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        }
    }

    [Fact]
    public async Task Generate_RequestsPerMinuteReached_IsResourceExhaustedWithRetryInfo()
    {
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var headers = new Metadata { { "authorization", $"Bearer {TestTenants.GrpcRpmKey}" } };
        var request = new GenerateRequest { Model = _server.ModelName, Sampling = new SamplingOptions { MaxTokens = 2 } };
        request.Messages.Add(new Message { Role = Role.User, Content = { new ContentPart { Text = "hi" } } });
        await DrainAsync(client.Generate(request, headers));

        var error = await Assert.ThrowsAsync<RpcException>(() => DrainAsync(client.Generate(request, headers)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        var retry = status!.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.InRange(retry!.RetryDelay.ToTimeSpan().TotalSeconds, 1, 60);
        Assert.Equal("REQUESTS_PER_MINUTE_EXCEEDED", status.GetDetail<ErrorInfo>()!.Reason);
    }

    [Fact]
    public async Task ChatCompletions_SecondStreamWhileOneIsOpen_Is429UntilTheFirstEnds()
    {
        using var http = Client(_server.HttpAddress, TestTenants.StreamsKey);
        var first = Chat("""{"model": "tiny", "max_tokens": 2000, "stream": true, "messages": [{"role": "user", "content": "a long story"}]}""");
        var open = await http.SendAsync(first, HttpCompletionOption.ResponseHeadersRead);
        using (var reader = new StreamReader(await open.Content.ReadAsStreamAsync()))
        {
            Assert.StartsWith("data: ", await reader.ReadLineAsync(), StringComparison.Ordinal);

            var (status, error, refused) = await FailAsync(http, Chat(Short));
            refused.Dispose();

            Assert.Equal(429, status);
            Assert.Equal("too_many_concurrent_streams", error.GetProperty("code").GetString());
        }

        // Hanging up cancels the first stream, which frees its slot.
        open.Dispose();
        first.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var retry = Chat(Short);
            using var response = await http.SendAsync(retry);
            if (response.IsSuccessStatusCode)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the slot of the cancelled stream was not freed within 10 s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task ChatCompletions_TokensPerMinuteReached_Is429()
    {
        using var http = Client(_server.HttpAddress, TestTenants.TpmKey);
        for (int i = 0; i < 20; i++)
        {
            using var request = Chat(Short);
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                string body = await response.Content.ReadAsStringAsync();
                Assert.Contains("tokens_per_minute_exceeded", body, StringComparison.Ordinal);
                Assert.NotNull(response.Headers.RetryAfter);
                return;
            }

            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Fail("20 requests never reached the limit of 60 tokens a minute");
    }

    [Fact]
    public async Task Usage_AfterARequest_ReportsWhatItUsed()
    {
        using var http = Client(_server.HttpAddress, TestTenants.UsageKey);
        using var completion = await SucceedAsync(http, Chat("""{"model": "tiny", "max_tokens": 3, "messages": [{"role": "user", "content": "count me"}]}"""));
        var reported = completion.RootElement.GetProperty("usage");

        using var usage = await SucceedAsync(http, new HttpRequestMessage(HttpMethod.Get, "/v1/usage"));
        var root = usage.RootElement;

        Assert.Equal("tenant-usage", root.GetProperty("tenant").GetString());
        Assert.Equal(1, root.GetProperty("requests").GetInt64());
        Assert.Equal(reported.GetProperty("prompt_tokens").GetInt64(), root.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(reported.GetProperty("completion_tokens").GetInt64(), root.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(0, root.GetProperty("current_minute").GetProperty("open_streams").GetInt32());
        Assert.Equal(reported.GetProperty("total_tokens").GetInt64(), root.GetProperty("current_minute").GetProperty("tokens").GetInt64());
        Assert.Equal(256, root.GetProperty("limits").GetProperty("concurrent_streams").GetInt32());
    }

    private static async Task DrainAsync(AsyncServerStreamingCall<ChatResponse> call)
    {
        using (call)
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }
    }
}
