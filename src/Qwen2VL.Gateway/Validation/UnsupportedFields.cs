using System.Text.Json;
using Qwen2VL.Gateway.OpenAi;

namespace Qwen2VL.Gateway.Validation;

/// <summary>
/// OpenAI request fields this server cannot honour. Unknown fields are ignored, as OpenAI-compatible servers do, but
/// these would silently change what the client gets (audio output, token biases, a different function-calling
/// protocol), so they are refused with a pointer to what works instead.
/// </summary>
public static class UnsupportedFields
{
    private static readonly (string Field, string Instead)[] Refused =
    [
        ("audio", "this model answers in text only"),
        ("functions", "use tools"),
        ("function_call", "use tool_choice"),
        ("logit_bias", "token biases are not supported"),
        ("prediction", "predicted outputs are not supported"),
        ("web_search_options", "web search is not supported"),
    ];

    public static void Check(JsonElement root)
    {
        foreach (var (field, instead) in Refused)
        {
            if (root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                throw OpenAiException.BadRequest($"{field} is not supported by this server: {instead}", field, "unsupported_parameter");
            }
        }

        if (root.TryGetProperty("modalities", out var modalities) && modalities.ValueKind != JsonValueKind.Null)
        {
            bool textOnly = modalities.ValueKind == JsonValueKind.Array
                && modalities.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String && m.GetString() == "text");
            if (!textOnly)
            {
                throw OpenAiException.BadRequest("modalities must be [\"text\"]: this model answers in text only", "modalities", "unsupported_parameter");
            }
        }
    }
}
