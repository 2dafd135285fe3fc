using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qwen2VL.Processing.Video;
using Qwen2VL.Server.Tests.Remote;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>
/// Videos given as lists of frame URLs (<c>{"type": "video", "video": [...]}</c>) through the whole embedded server,
/// checked against the golden video case, whose reference run got the same eight frames as a frame list.
/// </summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class FrameListVideoEndToEndTests
{
    private const string Case = "d_video";
    private readonly EmbeddedServer _server;

    public FrameListVideoEndToEndTests(EmbeddedServer server) => _server = server;

    private static JsonArray GoldenFrameUrls() => new([.. Enumerable.Range(0, 8).Select(i =>
        (JsonNode)$"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(Path.Combine(TestPaths.Cases, Case, $"video0_frame{i}.png")))}")]);

    [Fact]
    public async Task CompleteChat_FrameUrlVideo_HasTheGoldenPromptLengthAndGreedyAnswer()
    {
        var (prompt, answer, tokens) = GoldenAnswers.For(Case);
        int goldenPrompt = (int)GoldenTensors.ForCase(Case)["input_ids"].Shape[1];

        using var response = await PostAsync(Body(tokens, null, VideoMessage(GoldenFrameUrls(), prompt)));
        using var json = await ReadSuccessAsync(response);

        var root = json.RootElement;
        Assert.Equal(answer, root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(goldenPrompt, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(tokens, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task CompleteChat_FrameUrlVideoWithMaxPixels_ChangesPromptTokensByTheFrameRules()
    {
        var (prompt, _, _) = GoldenAnswers.For(Case);
        int goldenPrompt = (int)GoldenTensors.ForCase(Case)["input_ids"].Shape[1];
        int defaultTokens = VisionTokenRules.FrameList(_server.Checkpoint, 56, 84, 8, VideoSamplingRequest.Default);
        int budgetTokens = VisionTokenRules.FrameList(_server.Checkpoint, 56, 84, 8, new VideoSamplingRequest { MaxPixels = 1568 });

        using var response = await PostAsync(Body(1, new JsonObject { ["max_pixels"] = 1568 }, VideoMessage(GoldenFrameUrls(), prompt)));
        using var json = await ReadSuccessAsync(response);

        Assert.NotEqual(defaultTokens, budgetTokens);
        Assert.Equal(goldenPrompt - defaultTokens + budgetTokens, json.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task CompleteChat_MoreFrameListVideosThanAllowed_Is400AndServerKeepsServing()
    {
        var message = new JsonObject
        {
            ["role"] = "user",
            ["content"] = new JsonArray([.. Enumerable.Range(0, 3).Select(_ => (JsonNode)VideoPart(GoldenFrameUrls()))]),
        };

        using var refused = await PostAsync(Body(1, null, message));
        await AssertErrorAsync(refused, "too_many_videos", "3 videos");
        using var after = await PostAsync(Body(1, null, new JsonObject { ["role"] = "user", ["content"] = "still there?" }));
        using var _ = await ReadSuccessAsync(after);
    }

    [Fact]
    public async Task CompleteChat_AFrameIsNotAnImage_Is400NamingTheFrame()
    {
        var frames = GoldenFrameUrls();
        frames[5] = "data:text/plain;base64," + Convert.ToBase64String("not a picture"u8.ToArray());

        using var refused = await PostAsync(Body(1, null, VideoMessage(frames, "What happens?")));

        await AssertErrorAsync(refused, "unsupported_media_type", "frame 5 of the video");
    }

    private static JsonObject VideoPart(JsonArray frames) => new() { ["type"] = "video", ["video"] = frames };

    private static JsonObject VideoMessage(JsonArray frames, string text) => new()
    {
        ["role"] = "user",
        ["content"] = new JsonArray(VideoPart(frames), new JsonObject { ["type"] = "text", ["text"] = text }),
    };

    private static string Body(int maxTokens, JsonObject? kwargs, JsonObject message)
    {
        var body = new JsonObject { ["model"] = "tiny", ["max_tokens"] = maxTokens, ["temperature"] = 0, ["messages"] = new JsonArray(message) };
        if (kwargs is not null)
        {
            body["mm_processor_kwargs"] = kwargs;
        }

        return body.ToJsonString();
    }

    private async Task<HttpResponseMessage> PostAsync(string body)
    {
        using var http = new HttpClient { BaseAddress = _server.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", EmbeddedServer.ApiKey);
        return await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    private static async Task<JsonDocument> ReadSuccessAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, string code, string messagePart)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(text);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Contains(messagePart, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
