using System.Text;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Tests.OpenAi;

public class ChatCompletionRequestParserTests
{
    private static readonly ChatRequestLimits Limits = new() { MaxImagesPerRequest = 2 };

    private static ChatCompletionRequest Parse(string json) => ChatCompletionRequestParser.Parse(Encoding.UTF8.GetBytes(json), Limits);

    [Fact]
    public void Parse_StringAndPartsContent_ReadsAllFields()
    {
        var request = Parse("""
            {"model": "qwen2-vl", "max_completion_tokens": 32, "temperature": 0.5, "top_p": 0.9, "top_k": 20,
             "seed": 7, "stop": "END", "stream": true, "stream_options": {"include_usage": true},
             "logprobs": true, "top_logprobs": 3, "user": "u1",
             "mm_processor_kwargs": {"min_pixels": 3136, "max_pixels": 50176},
             "messages": [
               {"role": "developer", "content": "be brief"},
               {"role": "user", "content": [
                  {"type": "text", "text": "what is this?"},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
                  {"type": "video", "video": ["https://example.com/f1.jpg", "https://example.com/f2.jpg"]}]}]}
            """);

        Assert.Equal("qwen2-vl", request.Model);
        Assert.Equal(32, request.MaxTokens);
        Assert.Equal(0.5f, request.Temperature);
        Assert.Equal(20, request.TopK);
        Assert.Equal(new[] { "END" }, request.Stop);
        Assert.True(request.Stream && request.IncludeUsage && request.Logprobs);
        Assert.Equal(3, request.TopLogprobs);
        Assert.Equal("system", request.Messages[0].Role);
        var parts = request.Messages[1].Content;
        Assert.Equal(new TextPart("what is this?"), parts[0]);
        Assert.Equal("low", Assert.IsType<ImagePart>(parts[1]).Detail);
        Assert.Equal(2, Assert.IsType<VideoPart>(parts[2]).FrameUrls!.Count);
        Assert.Equal(50176, request.MediaOverrides.MaxPixels);
        Assert.Equal(ToolChoice.None, request.ToolChoice);
    }

    [Fact]
    public void Parse_MaxTokensAlias_AndToolsWithHistory()
    {
        var request = Parse("""
            {"model": "m", "max_tokens": 5,
             "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
             "messages": [
               {"role": "user", "content": "weather?"},
               {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
               {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]}
            """);

        Assert.Equal(5, request.MaxTokens);
        Assert.Equal(ToolChoice.Auto, request.ToolChoice);
        Assert.Equal("get_weather", request.Tools[0].Name);
        Assert.Equal("""{"city":"Paris"}""", request.Messages[1].ToolCalls![0].ArgumentsJson);
        Assert.Equal("c1", request.Messages[2].ToolCallId);
    }

    [Theory]
    [InlineData("not json", null, "invalid_json")]
    [InlineData("[1,2]", null, "invalid_json")]
    [InlineData("""{"messages": [{"role": "user", "content": "hi"}]}""", "model", "missing_required_parameter")]
    [InlineData("""{"model": "m"}""", "messages", "missing_required_parameter")]
    [InlineData("""{"model": "m", "messages": []}""", "messages", null)]
    [InlineData("""{"model": "m", "messages": "hi"}""", "messages", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "robot", "content": "hi"}]}""", "messages[0].role", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "user"}]}""", "messages[0].content", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": 5}]}""", "messages[0].content", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "audio"}]}]}""", "messages[0].content[0].type", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "text"}]}]}""", "messages[0].content[0].text", "missing_required_parameter")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x/y.png"}}]}]}""", "messages[0].content[0].image_url.url", "invalid_url")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}]}]}""", "messages[0].content[0].image_url.url", "invalid_url")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,", "detail": "max"}}]}]}""", "messages[0].content[0].image_url.detail", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}]}""", "messages[0].content[0]", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "tool", "content": "x"}]}""", "messages[0].tool_call_id", "missing_required_parameter")]
    [InlineData("""{"model": "m", "temperature": 3, "messages": [{"role": "user", "content": "hi"}]}""", "temperature", null)]
    [InlineData("""{"model": "m", "temperature": "hot", "messages": [{"role": "user", "content": "hi"}]}""", "temperature", null)]
    [InlineData("""{"model": "m", "top_p": 0, "messages": [{"role": "user", "content": "hi"}]}""", "top_p", null)]
    [InlineData("""{"model": "m", "max_tokens": 0, "messages": [{"role": "user", "content": "hi"}]}""", "max_tokens", null)]
    [InlineData("""{"model": "m", "max_tokens": 1.5, "messages": [{"role": "user", "content": "hi"}]}""", "max_tokens", null)]
    [InlineData("""{"model": "m", "n": 100, "messages": [{"role": "user", "content": "hi"}]}""", "n", null)]
    [InlineData("""{"model": "m", "stop": 5, "messages": [{"role": "user", "content": "hi"}]}""", "stop", null)]
    [InlineData("""{"model": "m", "stop": [""], "messages": [{"role": "user", "content": "hi"}]}""", "stop", null)]
    [InlineData("""{"model": "m", "top_logprobs": 3, "messages": [{"role": "user", "content": "hi"}]}""", "top_logprobs", null)]
    [InlineData("""{"model": "m", "logprobs": true, "top_logprobs": 21, "messages": [{"role": "user", "content": "hi"}]}""", "top_logprobs", null)]
    [InlineData("""{"model": "m", "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "hi"}]}""", "stream_options", null)]
    [InlineData("""{"model": "m", "tool_choice": "required", "messages": [{"role": "user", "content": "hi"}]}""", "tool_choice", null)]
    [InlineData("""{"model": "m", "tools": [{"type": "function", "function": {"name": "bad name"}}], "messages": [{"role": "user", "content": "hi"}]}""", "tools[0].function.name", null)]
    [InlineData("""{"model": "m", "tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": {"type": "function", "function": {"name": "g"}}, "messages": [{"role": "user", "content": "hi"}]}""", "tool_choice.function.name", null)]
    [InlineData("""{"model": "m", "response_format": {"type": "yaml"}, "messages": [{"role": "user", "content": "hi"}]}""", "response_format.type", null)]
    [InlineData("""{"model": "m", "mm_processor_kwargs": {"min_pixels": 100, "max_pixels": 10}, "messages": [{"role": "user", "content": "hi"}]}""", "mm_processor_kwargs", null)]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}, {"type": "image_url", "image_url": {"url": "data:,"}}, {"type": "image_url", "image_url": {"url": "data:,"}}]}]}""", "messages", "too_many_images")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "video", "video": []}]}]}""", "messages[0].content[0].video", null)]
    public void Parse_InvalidRequest_NamesTheField(string json, string? param, string? code)
    {
        var error = Assert.Throws<OpenAiException>(() => Parse(json));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(param, error.Param);
        if (code is not null)
        {
            Assert.Equal(code, error.Code);
        }

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": "hi"}]} {}""", "invalid_json")]
    [InlineData("""{"model": " ", "messages": [{"role": "user", "content": "hi"}]}""", null)]
    [InlineData("""{"model": "m", "logit_bias": {"1": 5}, "messages": [{"role": "user", "content": "hi"}]}""", "unsupported_parameter")]
    [InlineData("""{"model": "m", "modalities": ["audio"], "messages": [{"role": "user", "content": "hi"}]}""", "unsupported_parameter")]
    public void Parse_RefusedBody_NamesTheProblem(string json, string? code)
    {
        var error = Assert.Throws<OpenAiException>(() => Parse(json));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void Parse_InvalidUtf8InAName_IsInvalidJson()
    {
        byte[] body = [.. "{\"mo"u8, 0xC3, 0x28, .. "del\": \"m\"}"u8];

        var error = Assert.Throws<OpenAiException>(() => ChatCompletionRequestParser.Parse(body, Limits));

        Assert.Equal("invalid_json", error.Code);
    }

    [Fact]
    public void Parse_TextModalityAndNullLegacyFields_AreAccepted()
    {
        var request = Parse("""{"model": "m", "modalities": ["text"], "functions": null, "messages": [{"role": "user", "content": "hi"}]}""");

        Assert.Equal("m", request.Model);
    }
}
