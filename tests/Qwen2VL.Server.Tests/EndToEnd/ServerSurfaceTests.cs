using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Qwen2VL.Api.V1;
using Qwen2VL.Tests.Shared;
using Qwen2Tokenizer = Qwen2VL.Processing.Text.Qwen2Tokenizer;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>The gRPC API, metrics and health of the whole embedded server.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class ServerSurfaceTests
{
    private readonly EmbeddedServer _server;

    public ServerSurfaceTests(EmbeddedServer server) => _server = server;

    [Fact]
    public async Task GrpcGenerate_GoldenText_StreamsDecodedGoldenTokens()
    {
        var gen = GoldenTensors.ForCase("a_text_only")["gen_tokens"];
        int[] expected = gen.AsInt64().Take((int)gen.Shape[1]).Select(v => (int)v).ToArray();
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var request = new GenerateRequest
        {
            Model = _server.ModelName,
            Sampling = new SamplingOptions { Temperature = 0, MaxTokens = expected.Length },
        };
        request.Messages.Add(new Message { Role = Role.User, Content = { new ContentPart { Text = "Hi" } } });
        var headers = new Metadata { { "authorization", $"Bearer {EmbeddedServer.ApiKey}" } };
        var text = new StringBuilder();
        Final? final = null;

        using var call = client.Generate(request, headers);
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            if (response.EventCase == ChatResponse.EventOneofCase.Delta)
            {
                text.Append(response.Delta.Text);
            }
            else
            {
                final = response.Final;
            }
        }

        Assert.Equal(Qwen2Tokenizer.FromCheckpoint(TestPaths.Checkpoint).Decode(expected, skipSpecialTokens: true), text.ToString());
        Assert.Equal(FinishReason.Length, final!.FinishReason);
        Assert.Equal(expected.Length, final.Usage.CompletionTokens);
    }

    [Fact]
    public async Task GrpcGenerate_WrongKey_IsUnauthenticated()
    {
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress);
        var client = new ChatService.ChatServiceClient(channel);
        var request = new GenerateRequest { Model = _server.ModelName };
        request.Messages.Add(new Message { Role = Role.User, Content = { new ContentPart { Text = "Hi" } } });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = client.Generate(request, new Metadata { { "authorization", "Bearer nope-nope-nope" } });
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Metrics_AfterARequest_ExposeVllmStyleNames()
    {
        using var http = new HttpClient { BaseAddress = _server.HttpAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", EmbeddedServer.ApiKey);
        using var completion = await http.PostAsync("/v1/chat/completions",
            new StringContent("""{"model": "tiny", "max_tokens": 3, "messages": [{"role": "user", "content": "metrics please"}]}""", Encoding.UTF8, "application/json"));
        Assert.True(completion.IsSuccessStatusCode, await completion.Content.ReadAsStringAsync() + string.Join("\n", _server.Errors));

        string metrics = await http.GetStringAsync("/metrics");

        foreach (string name in new[]
        {
            "qwen2vl_time_to_first_token_seconds_bucket", "qwen2vl_e2e_request_latency_seconds_count", "qwen2vl_prompt_tokens_total",
            "qwen2vl_generation_tokens_total", "qwen2vl_num_requests_running", "qwen2vl_kv_cache_usage_perc", "qwen2vl_tenant_requests_total",
        })
        {
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_LiveAndReady_Answer200()
    {
        using var http = new HttpClient { BaseAddress = _server.HttpAddress };

        Assert.True((await http.GetAsync("/health/live")).IsSuccessStatusCode);
        Assert.True((await http.GetAsync("/health/ready")).IsSuccessStatusCode);
    }
}
