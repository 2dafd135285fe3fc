#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the API field is stable.
using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Qwen2Tokenizer = Qwen2VL.Processing.Text.Qwen2Tokenizer;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>The official OpenAI SDK against the whole embedded server: gateway, grains, engine, model.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class OpenAiEndToEndTests
{
    private readonly EmbeddedServer _server;

    public OpenAiEndToEndTests(EmbeddedServer server) => _server = server;

    private ChatClient Client(string key = EmbeddedServer.ApiKey) => new(_server.ModelName, new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri(_server.HttpAddress, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(60) });

    [Fact]
    public async Task CompleteChat_GoldenTextCase_GreedyTextEqualsDecodedGoldenTokens()
    {
        var (prompt, expected) = GoldenText("a_text_only");

        ChatCompletion completion = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage(prompt) },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = expected.Length });

        var tokenizer = Qwen2Tokenizer.FromCheckpoint(TestPaths.Checkpoint);
        Assert.Equal(tokenizer.Decode(expected, skipSpecialTokens: true), completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(expected.Length, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChatStreaming_ImageDataUrl_StreamsTheGoldenAnswer()
    {
        var (prompt, expected) = GoldenText("b1_100x60");
        byte[] png = await File.ReadAllBytesAsync(Path.Combine(TestPaths.Cases, "b1_100x60", "input0.png"));
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in Client().CompleteChatStreamingAsync(
            new ChatMessage[] { new UserChatMessage(ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"), ChatMessageContentPart.CreateTextPart(prompt)) },
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = expected.Length }))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            usage ??= update.Usage;
        }

        var tokenizer = Qwen2Tokenizer.FromCheckpoint(TestPaths.Checkpoint);
        Assert.Equal(tokenizer.Decode(expected, skipSpecialTokens: true), text.ToString());
        Assert.NotNull(usage);
        Assert.Equal(GoldenTensors.ForCase("b1_100x60")["input_ids"].Shape[1], usage!.InputTokenCount);
    }

    [Fact]
    public async Task Session_SecondTurn_ReportsCachedPromptTokens()
    {
        using var http = Http(EmbeddedServer.ApiKey);
        string session = "e2e-" + Guid.NewGuid().ToString("n")[..8];

        using var first = await PostAsync(http, """{"model": "tiny", "max_tokens": 4, "messages": [{"role": "user", "content": "first turn"}]}""", session);
        using var second = await PostAsync(http, """{"model": "tiny", "max_tokens": 4, "messages": [{"role": "user", "content": "second turn"}]}""", session);

        Assert.Equal(0, first.RootElement.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        int prompt = second.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        int cached = second.RootElement.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(cached > prompt / 2, $"expected most of the {prompt} prompt tokens from cache, got {cached}");
    }

    [Fact]
    public async Task CompleteChat_StatelessSecondRequestResendingTheAnswer_ReportsCachedPromptTokens()
    {
        // Unique text: the server is shared, and an identical earlier conversation would be a legitimate hit.
        string question = "first question " + Guid.NewGuid().ToString("n")[..8];
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4 };
        ChatCompletion first = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage(question) }, options);
        ChatMessage[] turn2 = [new UserChatMessage(question), new AssistantChatMessage(first.Content[0].Text), new UserChatMessage("second question")];

        ChatCompletion second = await Client().CompleteChatAsync(turn2, options);
        ChatCompletion otherTenant = await Client(EmbeddedServer.OtherTenantKey).CompleteChatAsync(turn2, options);
        ChatCompletion altered = await Client().CompleteChatAsync(
            new ChatMessage[] { new UserChatMessage(question + "!"), new AssistantChatMessage(first.Content[0].Text), new UserChatMessage("second question") }, options);

        Assert.Equal(0, first.Usage.InputTokenDetails.CachedTokenCount);
        int cached = second.Usage.InputTokenDetails.CachedTokenCount;
        // The whole first prompt is kept (less its last "\n" should the answer start with a newline, which merges
        // with it when re-tokenized), plus as much of the answer as re-tokenizes to the generated tokens.
        Assert.InRange(cached, first.Usage.InputTokenCount - 1, second.Usage.InputTokenCount - 1);
        Assert.Equal(0, otherTenant.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(0, altered.Usage.InputTokenDetails.CachedTokenCount);
    }

    [Fact]
    public async Task Session_OtherTenant_CannotContinueIt()
    {
        string session = "private-" + Guid.NewGuid().ToString("n")[..8];
        using var owner = Http(EmbeddedServer.ApiKey);
        using var intruder = Http(EmbeddedServer.OtherTenantKey);
        using var _ = await PostAsync(owner, """{"model": "tiny", "max_tokens": 2, "messages": [{"role": "user", "content": "secret"}]}""", session);

        // The same session id under another tenant is a different, new session: no cached tokens of the owner's.
        using var other = await PostAsync(intruder, """{"model": "tiny", "max_tokens": 2, "messages": [{"role": "user", "content": "secret"}]}""", session);

        Assert.Equal(0, other.RootElement.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]}""", 400, "unsupported_media_type")]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,%%%"}}]}]}""", 400, null)]
    [InlineData("""{"model": "other-model", "messages": [{"role": "user", "content": "hi"}]}""", 404, "model_not_found")]
    [InlineData("""{"model": "tiny", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://127.0.0.1:1/x.png"}}]}]}""", 400, "forbidden_address")]
    [InlineData("""{"model": "tiny", "max_tokens": 0, "messages": [{"role": "user", "content": "hi"}]}""", 400, null)]
    public async Task CompleteChat_BadInput_IsOpenAiErrorAndServerKeepsServing(string body, int status, string? code)
    {
        using var http = Http(EmbeddedServer.ApiKey);
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(status, (int)response.StatusCode);
        var error = json.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        if (code is not null)
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
        }

        ChatCompletion after = await Client().CompleteChatAsync(new ChatMessage[] { new UserChatMessage("still there?") }, new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        Assert.Equal(2, after.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChat_OneByOnePixelImage_Is400WithSizes()
    {
        using var http = Http(EmbeddedServer.ApiKey);
        string png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(
            $$$"""{"model": "tiny", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,{{{png}}}"}}]}]}""",
            Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("image_too_small", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("1×1", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("1×1", body, StringComparison.Ordinal); // written as UTF-8, not escaped
    }

    [Fact]
    public async Task CompleteChat_NoKey_Is401()
    {
        using var http = new HttpClient { BaseAddress = _server.HttpAddress };
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent("""{"model": "tiny", "messages": [{"role": "user", "content": "hi"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private HttpClient Http(string key)
    {
        var http = new HttpClient { BaseAddress = _server.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return http;
    }

    private static async Task<JsonDocument> PostAsync(HttpClient http, string body, string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Session-Id", session);
        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text);
    }

    /// <summary>A single-turn golden case: its (only) text part and its greedy tokens.</summary>
    private static (string Prompt, int[] Tokens) GoldenText(string caseName)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Cases, caseName, "case.json")));
        var content = json.RootElement.GetProperty("conversations")[0][0].GetProperty("content");
        string prompt = content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Where(p => p.GetProperty("type").GetString() == "text").Select(p => p.GetProperty("text").GetString()));
        var gen = GoldenTensors.ForCase(caseName)["gen_tokens"];
        return (prompt, gen.AsInt64().Take((int)gen.Shape[1]).Select(v => (int)v).ToArray());
    }
}
