using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Video;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Server.Tests.EndToEnd;

/// <summary>
/// <c>mm_processor_kwargs</c> through the whole embedded server: each option changes prompt_tokens by exactly what
/// the resize and sampling rules predict, and a session keeps a part's options in its history.
/// </summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class MediaOptionsEndToEndTests
{
    private const string Question = "What is in it?";
    private readonly EmbeddedServer _server;

    public MediaOptionsEndToEndTests(EmbeddedServer server) => _server = server;

    private static string GoldenImageUrl => DataUrl(File.ReadAllBytes(Path.Combine(TestPaths.Cases, "b1_100x60", "input0.png")), "image/png");

    [Fact]
    public async Task CompleteChat_MaxPixels_ChangesPromptTokensByTheResizeRules()
    {
        int golden = (int)GoldenTensors.ForCase("b1_100x60")["input_ids"].Shape[1];
        int defaultTokens = VisionTokenRules.Image(_server.Checkpoint, 60, 100);
        int budgetTokens = VisionTokenRules.Image(_server.Checkpoint, 60, 100, new ImageSizeRequest { MaxPixels = 3136 });

        int plain = await PromptTokensAsync(ImageMessage(GoldenImageUrl, "Describe this image."), null);
        int budget = await PromptTokensAsync(ImageMessage(GoldenImageUrl, "Describe this image."), new JsonObject { ["max_pixels"] = 3136 });

        Assert.Equal(golden, plain);
        Assert.NotEqual(defaultTokens, budgetTokens);
        Assert.Equal(golden - defaultTokens + budgetTokens, budget);
    }

    [Fact]
    public async Task Session_ImageWithMaxPixels_LaterTurnReusesTheCacheSoTheHistoryKeptTheBudget()
    {
        using var http = Http();
        string session = "media-opts-" + Guid.NewGuid().ToString("n")[..8];

        var first = await PostAsync(http, Body(ImageMessage(GoldenImageUrl, Question), new JsonObject { ["max_pixels"] = 3136 }), session);
        var second = await PostAsync(http, Body(new JsonObject { ["role"] = "user", ["content"] = "And the colours?" }, null), session);

        // Rendered with the default budget instead, the image would expand to other pads and the cache match would
        // stop at its first token.
        int firstPrompt = first.GetProperty("prompt_tokens").GetInt32();
        int cached = second.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.True(cached >= firstPrompt, $"the second turn reused {cached} tokens, fewer than the first turn's {firstPrompt}");
    }

    [Fact]
    public async Task CompleteChat_VideoFileFpsAndMaxFrames_ChangePromptTokensByTheSamplingRules()
    {
        string video = DataUrl(await GoldenFramesAsVideoAsync(), "video/mp4");
        int textOnly = await PromptTokensAsync(new JsonObject { ["role"] = "user", ["content"] = Question }, null);
        int Expected(VideoSamplingRequest request) => textOnly + 2 + VisionTokenRules.VideoFile(_server.Checkpoint, 56, 84, 8, 2.0, request);

        int plain = await PromptTokensAsync(VideoMessage(video), null);
        int maxFrames = await PromptTokensAsync(VideoMessage(video), new JsonObject { ["max_frames"] = 4 });
        int fps = await PromptTokensAsync(VideoMessage(video), new JsonObject { ["fps"] = 1.0 });

        Assert.Equal(Expected(VideoSamplingRequest.Default), plain);
        Assert.Equal(Expected(new VideoSamplingRequest { MaxFrames = 4 }), maxFrames);
        Assert.Equal(Expected(new VideoSamplingRequest { Fps = 1.0 }), fps);
        Assert.True(maxFrames < plain, $"max_frames 4 gave {maxFrames} prompt tokens, not fewer than the default's {plain}");
    }

    /// <summary>The golden video case's eight 84×56 frames as an MP4 at 2 fps (lossless H.264), made with ffmpeg.</summary>
    private static async Task<byte[]> GoldenFramesAsVideoAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), $"qwen2vl-frames-{Guid.NewGuid():n}.mp4");
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (string argument in new[] { "-loglevel", "error", "-y", "-framerate", "2", "-i", Path.Combine(TestPaths.Cases, "d_video", "video0_frame%d.png"),
            "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", path })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var ffmpeg = Process.Start(start)!;
            string errors = await ffmpeg.StandardError.ReadToEndAsync();
            await ffmpeg.WaitForExitAsync();
            Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg failed: {errors}");
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<int> PromptTokensAsync(JsonObject message, JsonObject? kwargs)
    {
        using var http = Http();
        var usage = await PostAsync(http, Body(message, kwargs), session: null);
        return usage.GetProperty("prompt_tokens").GetInt32();
    }

    private static JsonObject ImageMessage(string url, string text) => new()
    {
        ["role"] = "user",
        ["content"] = new JsonArray(
            new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } },
            new JsonObject { ["type"] = "text", ["text"] = text }),
    };

    private static JsonObject VideoMessage(string url) => new()
    {
        ["role"] = "user",
        ["content"] = new JsonArray(
            new JsonObject { ["type"] = "video_url", ["video_url"] = new JsonObject { ["url"] = url } },
            new JsonObject { ["type"] = "text", ["text"] = Question }),
    };

    private static string Body(JsonObject message, JsonObject? kwargs)
    {
        var body = new JsonObject { ["model"] = "tiny", ["max_tokens"] = 2, ["temperature"] = 0, ["messages"] = new JsonArray(message) };
        if (kwargs is not null)
        {
            body["mm_processor_kwargs"] = kwargs;
        }

        return body.ToJsonString();
    }

    private HttpClient Http()
    {
        var http = new HttpClient { BaseAddress = _server.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", EmbeddedServer.ApiKey);
        return http;
    }

    /// <summary>Posts a chat completion and returns its usage.</summary>
    private static async Task<JsonElement> PostAsync(HttpClient http, string body, string? session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (session is not null)
        {
            request.Headers.Add("X-Session-Id", session);
        }

        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("usage").Clone();
    }

    private static string DataUrl(byte[] bytes, string mediaType) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";
}
