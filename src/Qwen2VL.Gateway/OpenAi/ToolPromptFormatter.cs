using System.Text;
using System.Text.Json;

namespace Qwen2VL.Gateway.OpenAi;

/// <summary>
/// Puts OpenAI tools into the prompt in Qwen's function-calling format, because Qwen2-VL's chat template has no tool
/// support of its own: the tool schemas go as JSON lines inside <c>&lt;tools&gt;&lt;/tools&gt;</c> in the system
/// message, earlier assistant calls become <c>&lt;tool_call&gt;</c> blocks and tool results become user turns wrapped
/// in <c>&lt;tool_response&gt;</c>, which is how Qwen models were trained to see them.
/// </summary>
public static class ToolPromptFormatter
{
    private const string DefaultSystemPrompt = "You are a helpful assistant.";

    /// <summary>Returns the messages to render with the chat template.</summary>
    public static IReadOnlyList<ChatMessage> Apply(ChatCompletionRequest request)
    {
        bool useTools = request.Tools.Count > 0 && request.ToolChoice.Mode != "none";
        string? instructions = BuildInstructions(request, useTools);
        bool hasToolHistory = request.Messages.Any(m => m.Role == "tool" || m.ToolCalls is { Count: > 0 });
        if (instructions is null && !hasToolHistory)
        {
            return request.Messages;
        }

        var result = new List<ChatMessage>(request.Messages.Count + 1);
        if (instructions is not null)
        {
            var first = request.Messages[0];
            if (first.Role == "system")
            {
                string text = string.Concat(first.Content.OfType<TextPart>().Select(p => p.Text));
                result.Add(first with { Content = new ContentPart[] { new TextPart(text + "\n\n" + instructions) } });
            }
            else
            {
                result.Add(new ChatMessage("system", new ContentPart[] { new TextPart(DefaultSystemPrompt + "\n\n" + instructions) }));
                result.Add(first);
            }
        }
        else
        {
            result.Add(request.Messages[0]);
        }

        for (int i = 1; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (message.Role == "tool")
            {
                string response = $"<tool_response>\n{Text(message)}\n</tool_response>";
                if (result[^1] is { Role: "user" } previous && request.Messages[i - 1].Role == "tool")
                {
                    result[^1] = previous with { Content = previous.Content.Append(new TextPart("\n" + response)).ToArray() };
                }
                else
                {
                    result.Add(new ChatMessage("user", new ContentPart[] { new TextPart(response) }));
                }
            }
            else if (message.Role == "assistant" && message.ToolCalls is { Count: > 0 } calls)
            {
                var text = new StringBuilder(Text(message));
                foreach (var call in calls)
                {
                    if (text.Length > 0)
                    {
                        text.Append('\n');
                    }

                    text.Append("<tool_call>\n").Append(CallJson(call)).Append("\n</tool_call>");
                }

                result.Add(new ChatMessage("assistant", new ContentPart[] { new TextPart(text.ToString()) }));
            }
            else
            {
                result.Add(message);
            }
        }

        return result;
    }

    private static string? BuildInstructions(ChatCompletionRequest request, bool useTools)
    {
        var text = new StringBuilder();
        if (useTools)
        {
            text.Append("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n")
                .Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
            foreach (var tool in request.Tools)
            {
                if (request.ToolChoice.Mode == "function" && tool.Name != request.ToolChoice.FunctionName)
                {
                    continue;
                }

                text.Append('\n').Append(ToolJson(tool));
            }

            text.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within ")
                .Append("<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
            if (request.ToolChoice.Mode is "required" or "function")
            {
                text.Append("\n\nYou must call ")
                    .Append(request.ToolChoice.Mode == "function" ? $"the function {request.ToolChoice.FunctionName}" : "at least one function")
                    .Append(" in your answer.");
            }
        }

        if (request.ResponseFormat is "json_object" or "json_schema")
        {
            if (text.Length > 0)
            {
                text.Append("\n\n");
            }

            text.Append("Respond with a single valid JSON object and nothing else.");
        }

        return text.Length == 0 ? null : text.ToString();
    }

    private static string Text(ChatMessage message) => string.Concat(message.Content.OfType<TextPart>().Select(p => p.Text));

    private static string ToolJson(ToolDefinition tool)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "function");
            writer.WriteStartObject("function");
            writer.WriteString("name", tool.Name);
            if (tool.Description is not null)
            {
                writer.WriteString("description", tool.Description);
            }

            writer.WritePropertyName("parameters");
            using (var schema = JsonDocument.Parse(tool.ParametersJson))
            {
                schema.RootElement.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string CallJson(ToolCall call)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("name", call.Name);
            writer.WritePropertyName("arguments");
            try
            {
                using var arguments = JsonDocument.Parse(call.ArgumentsJson);
                arguments.RootElement.WriteTo(writer);
            }
            catch (JsonException)
            {
                // Clients sometimes echo back arguments that are not JSON; keep them as a string rather than refuse the history.
                writer.WriteStringValue(call.ArgumentsJson);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
