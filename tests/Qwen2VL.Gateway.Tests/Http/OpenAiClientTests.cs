#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the API field is stable.
using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Gateway.Tests.Http;

/// <summary>The official OpenAI .NET SDK against the gateway's HTTP API on loopback.</summary>
public sealed class OpenAiClientTests
{
    private static ChatClient Client(GatewayTestServer server, string key = GatewayTestServer.ApiKey) =>
        new("qwen2-vl-tiny", new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(server.Address, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30) });

    [Fact]
    public async Task CompleteChat_NonStreaming_ReturnsTextAndUsage()
    {
        var backend = new ScriptedBackend();
        await using var server = await GatewayTestServer.StartAsync(backend);

        ChatCompletion completion = await Client(server).CompleteChatAsync(
            new ChatMessage[] { new SystemChatMessage("be brief"), new UserChatMessage("hi") },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 16, Seed = 3 });

        Assert.Equal("Hello!", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(20, completion.Usage.InputTokenCount);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
        Assert.Equal(0, completion.Usage.InputTokenDetails.CachedTokenCount);
        var call = Assert.Single(backend.Calls);
        Assert.Equal("tenant-a", call.TenantId);
        Assert.Equal(16, call.Sampling.MaxTokens);
        Assert.Equal(0f, call.Sampling.Temperature);
        Assert.Equal(new[] { "system", "user" }, call.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task CompleteChatStreaming_WithUsage_StreamsDeltasThenUsage()
    {
        await using var server = await GatewayTestServer.StartAsync(new ScriptedBackend());
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;

        await foreach (var update in Client(server).CompleteChatStreamingAsync(new ChatMessage[] { new UserChatMessage("hi") }))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Hello!", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(23, usage!.TotalTokenCount);
    }

    [Fact]
    public async Task CompleteChat_ImageDataUrl_ReachesBackendAsImagePart()
    {
        var backend = new ScriptedBackend();
        await using var server = await GatewayTestServer.StartAsync(backend);
        var png = BinaryData.FromBytes(Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));

        await Client(server).CompleteChatAsync(new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("what is it?"),
            ChatMessageContentPart.CreateImagePart(png, "image/png", ChatImageDetailLevel.Low)));

        var parts = Assert.Single(backend.Calls).Messages[0].Content;
        var image = Assert.IsType<Gateway.OpenAi.ImagePart>(parts[1]);
        Assert.StartsWith("data:image/png;base64,iVBORw0KGgo", image.Url, StringComparison.Ordinal);
        Assert.Equal("low", image.Detail);
    }

    [Fact]
    public async Task CompleteChat_Logprobs_ReturnsTopAlternatives()
    {
        await using var server = await GatewayTestServer.StartAsync(new ScriptedBackend());

        ChatCompletion completion = await Client(server).CompleteChatAsync(new ChatMessage[] { new UserChatMessage("hi") },
            new ChatCompletionOptions { IncludeLogProbabilities = true, TopLogProbabilityCount = 2 });

        Assert.Equal(3, completion.ContentTokenLogProbabilities.Count);
        Assert.Equal("Hel", completion.ContentTokenLogProbabilities[0].Token);
        Assert.Equal(2, completion.ContentTokenLogProbabilities[0].TopLogProbabilities.Count);
    }

    [Fact]
    public async Task CompleteChat_ToolCallInAnswer_ReturnsToolCalls()
    {
        var backend = new ScriptedBackend
        {
            Answer = _ => new[] { "<tool", "_call>\n{\"name\": \"get_weather\", ", "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call>" },
        };
        await using var server = await GatewayTestServer.StartAsync(backend);
        var options = new ChatCompletionOptions();
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "Weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}""")));

        ChatCompletion completion = await Client(server).CompleteChatAsync(new ChatMessage[] { new UserChatMessage("weather in Paris?") }, options);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.GetProperty("city").GetString());
        Assert.Contains("<tools>", ((Gateway.OpenAi.TextPart)backend.Calls[0].Messages[0].Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChatStreaming_ToolCall_StreamsNoMarkupAndOneToolCall()
    {
        var backend = new ScriptedBackend { Answer = _ => new[] { "Sure. <tool", "_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>" } };
        await using var server = await GatewayTestServer.StartAsync(backend);
        var options = new ChatCompletionOptions();
        options.Tools.Add(ChatTool.CreateFunctionTool("f"));
        var text = new StringBuilder();
        var names = new List<string>();
        ChatFinishReason? finish = null;

        await foreach (var update in Client(server).CompleteChatStreamingAsync(new ChatMessage[] { new UserChatMessage("go") }, options))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            names.AddRange(update.ToolCallUpdates.Where(t => t.FunctionName is not null).Select(t => t.FunctionName));
            finish ??= update.FinishReason;
        }

        Assert.Equal("Sure. ", text.ToString());
        Assert.Equal(new[] { "f" }, names);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task CompleteChat_WrongKey_Is401WithOpenAiErrorBody()
    {
        await using var server = await GatewayTestServer.StartAsync(new ScriptedBackend());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client(server, "sk-wrong").CompleteChatAsync("hi"));

        Assert.Equal(401, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString());
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task CompleteChat_BackendUnavailable_Is503WithRetryAfter()
    {
        var backend = new ScriptedBackend { FailBeforeFirstToken = new ChatBackendException(ChatFailure.Unavailable, "no pipeline is ready") { RetryAfter = TimeSpan.FromSeconds(2) } };
        await using var server = await GatewayTestServer.StartAsync(backend);
        using var http = new HttpClient { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model": "m", "messages": [{"role": "user", "content": "hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", GatewayTestServer.ApiKey);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter!.Delta);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("no pipeline is ready", body.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Stream_FailureAfterFirstToken_EndsWithErrorEventAndDone()
    {
        var backend = new ScriptedBackend { FailAfterFirstToken = new ChatBackendException(ChatFailure.Unavailable, "worker lost") };
        await using var server = await GatewayTestServer.StartAsync(backend);
        using var http = new HttpClient { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model": "m", "stream": true, "messages": [{"role": "user", "content": "hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", GatewayTestServer.ApiKey);

        using var response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"content\":\"Hel\"", body, StringComparison.Ordinal);
        Assert.Contains("data: {\"error\":{\"message\":\"worker lost\"", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_SessionHeader_IsPassedAndEchoed()
    {
        var backend = new ScriptedBackend();
        await using var server = await GatewayTestServer.StartAsync(backend);
        using var http = new HttpClient { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model": "m", "messages": [{"role": "user", "content": "next"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", GatewayTestServer.ApiKey);
        request.Headers.Add("X-Session-Id", "conv-42");

        using var response = await http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("conv-42", response.Headers.GetValues("X-Session-Id").Single());
        Assert.Equal("conv-42", Assert.Single(backend.Calls).SessionId);
        Assert.Equal(12, body.RootElement.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task ListModels_ReturnsServedModel()
    {
        await using var server = await GatewayTestServer.StartAsync(new ScriptedBackend(), allowAnonymous: true);
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Address, "/v1") });

        var models = await client.GetOpenAIModelClient().GetModelsAsync();

        Assert.Equal("qwen2-vl-tiny", Assert.Single(models.Value).Id);
    }
}
