using System.Text;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Tests.OpenAi;

public class ToolCallingTests
{
    private static ChatCompletionRequest Parse(string json) =>
        ChatCompletionRequestParser.Parse(Encoding.UTF8.GetBytes(json), new ChatRequestLimits());

    [Fact]
    public void Parse_OneCallAfterText_SplitsContentAndCall()
    {
        var answer = ToolCallParser.Parse("Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");

        Assert.Equal("Let me check.", answer.Content);
        var call = Assert.Single(answer.ToolCalls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("{\"city\": \"Paris\"}", call.ArgumentsJson);
        Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoCallsNoText_ContentIsNull()
    {
        var answer = ToolCallParser.Parse("<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": \"b\", \"arguments\": \"{\\\"x\\\":1}\"}</tool_call>");

        Assert.Null(answer.Content);
        Assert.Equal(new[] { "a", "b" }, answer.ToolCalls.Select(c => c.Name));
        Assert.Equal("{\"x\":1}", answer.ToolCalls[1].ArgumentsJson);
    }

    [Theory]
    [InlineData("<tool_call>not json</tool_call>")]
    [InlineData("<tool_call>{\"arguments\": {}}</tool_call>")]
    [InlineData("text <tool_call>{\"name\": \"a\"")]
    public void Parse_MalformedOrUnterminated_KeepsTextAsContent(string text)
    {
        var answer = ToolCallParser.Parse(text);

        Assert.Empty(answer.ToolCalls);
        Assert.Equal(text, answer.Content);
    }

    [Fact]
    public void Apply_Tools_AddsQwenToolsBlockToSystemMessage()
    {
        var request = Parse("""
            {"model": "m", "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
             "messages": [{"role": "user", "content": "weather in Paris?"}]}
            """);

        var messages = ToolPromptFormatter.Apply(request);

        Assert.Equal("system", messages[0].Role);
        string system = ((TextPart)messages[0].Content[0]).Text;
        Assert.StartsWith("You are a helpful assistant.\n\n# Tools", system, StringComparison.Ordinal);
        Assert.Contains("<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\",\"parameters\":{\"type\":\"object\"", system, StringComparison.Ordinal);
        Assert.Contains("<tool_call></tool_call>", system, StringComparison.Ordinal);
        Assert.Equal("user", messages[1].Role);
    }

    [Fact]
    public void Apply_ToolHistory_RendersCallsAndMergesConsecutiveResults()
    {
        var request = Parse("""
            {"model": "m", "tools": [{"type": "function", "function": {"name": "f"}}],
             "messages": [
               {"role": "system", "content": "sys"},
               {"role": "user", "content": "go"},
               {"role": "assistant", "content": null, "tool_calls": [
                  {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}},
                  {"id": "2", "type": "function", "function": {"name": "f", "arguments": "{\"a\":2}"}}]},
               {"role": "tool", "tool_call_id": "1", "content": "r1"},
               {"role": "tool", "tool_call_id": "2", "content": "r2"}]}
            """);

        var messages = ToolPromptFormatter.Apply(request);

        Assert.Equal(new[] { "system", "user", "assistant", "user" }, messages.Select(m => m.Role));
        Assert.StartsWith("sys\n\n# Tools", ((TextPart)messages[0].Content[0]).Text, StringComparison.Ordinal);
        Assert.Equal(
            "<tool_call>\n{\"name\":\"f\",\"arguments\":{\"a\":1}}\n</tool_call>\n<tool_call>\n{\"name\":\"f\",\"arguments\":{\"a\":2}}\n</tool_call>",
            ((TextPart)messages[2].Content[0]).Text);
        Assert.Equal(
            "<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n</tool_response>",
            string.Concat(messages[3].Content.OfType<TextPart>().Select(p => p.Text)));
    }

    [Fact]
    public void Apply_NoToolsNoJsonFormat_ReturnsMessagesUnchanged()
    {
        var request = Parse("""{"model": "m", "messages": [{"role": "user", "content": "hi"}]}""");

        Assert.Same(request.Messages, ToolPromptFormatter.Apply(request));
    }

    [Fact]
    public void Apply_JsonObjectFormat_AddsInstruction()
    {
        var request = Parse("""{"model": "m", "response_format": {"type": "json_object"}, "messages": [{"role": "user", "content": "hi"}]}""");

        var messages = ToolPromptFormatter.Apply(request);

        Assert.EndsWith("Respond with a single valid JSON object and nothing else.", ((TextPart)messages[0].Content[0]).Text, StringComparison.Ordinal);
    }
}
