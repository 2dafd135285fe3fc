using System.Text.Json;
using Qwen2VL.Processing.Text.Jinja;

namespace Qwen2VL.Processing.Text;

/// <summary>
/// A checkpoint's chat template: turns a conversation into the prompt text the model was trained on, exactly as
/// Hugging Face's <c>apply_chat_template</c> renders it (same variables: <c>messages</c>,
/// <c>add_generation_prompt</c>, <c>tools</c>, the special-token strings such as <c>eos_token</c>, and any extras).
/// The result contains control tokens, so tokenize it with <c>allowSpecialTokens: true</c>; user text inside it was
/// placed there by the template, and the image/video pads are one per item (expand them afterwards).
/// </summary>
public sealed class ChatTemplate
{
    private readonly JinjaTemplate _template;
    private readonly IReadOnlyDictionary<string, object?> _specialTokens;

    private ChatTemplate(JinjaTemplate template, IReadOnlyDictionary<string, object?> specialTokens)
    {
        _template = template;
        _specialTokens = specialTokens;
    }

    /// <summary>The Jinja source.</summary>
    public string Source => _template.Source;

    /// <summary>
    /// Loads the template of a checkpoint folder: <c>chat_template.json</c> (processor template), else the
    /// <c>chat_template</c> of <c>tokenizer_config.json</c> (a string, or a list of named templates of which
    /// "default" is taken). Special-token strings (<c>bos_token</c>, <c>eos_token</c>, <c>pad_token</c>,
    /// <c>unk_token</c>) come from <c>tokenizer_config.json</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has no chat template.</exception>
    /// <exception cref="ChatTemplateSyntaxException">The template cannot be parsed or uses an unsupported construct.</exception>
    public static ChatTemplate FromCheckpoint(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string configPath = Path.Combine(folder, "tokenizer_config.json");
        using JsonDocument? config = File.Exists(configPath) ? JsonDocument.Parse(File.ReadAllBytes(configPath)) : null;

        string? source = null;
        string processorPath = Path.Combine(folder, "chat_template.json");
        if (File.Exists(processorPath))
        {
            using JsonDocument processor = JsonDocument.Parse(File.ReadAllBytes(processorPath));
            source = ReadTemplate(processor.RootElement);
        }

        if (source is null && config is not null)
        {
            source = ReadTemplate(config.RootElement);
        }

        if (source is null)
        {
            throw new FileNotFoundException($"checkpoint folder '{folder}' has no chat template (chat_template.json or tokenizer_config.json)");
        }

        var specialTokens = new Dictionary<string, object?>();
        if (config is not null)
        {
            foreach (string name in (string[])["bos_token", "eos_token", "pad_token", "unk_token"])
            {
                if (ReadTokenString(config.RootElement, name) is { } token)
                {
                    specialTokens[name] = token;
                }
            }
        }

        return new ChatTemplate(JinjaTemplate.Parse(source), specialTokens);
    }

    /// <summary>Wraps a template source (for tests and for templates supplied by configuration).</summary>
    /// <param name="source">The Jinja source.</param>
    /// <param name="specialTokens">Variables such as <c>eos_token</c> the template may print.</param>
    public static ChatTemplate FromSource(string source, IReadOnlyDictionary<string, object?>? specialTokens = null) =>
        new(JinjaTemplate.Parse(source), specialTokens ?? new Dictionary<string, object?>());

    /// <summary>Renders a conversation.</summary>
    /// <exception cref="ChatTemplateRaisedException">The template rejected the conversation (code <c>chat_template_rejected</c>).</exception>
    /// <exception cref="ChatTemplateRenderException">The conversation does not fit the template (code <c>chat_template_failed</c>).</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        options ??= new ChatTemplateOptions();
        var variables = new Dictionary<string, object?>(_specialTokens)
        {
            ["messages"] = messages.Select(m => (object?)m.ToTemplateValue()).ToList(),
            ["add_generation_prompt"] = options.AddGenerationPrompt,
        };

        if (options.AddVisionId)
        {
            variables["add_vision_id"] = true;
        }

        if (options.Tools is not null)
        {
            variables["tools"] = options.Tools;
        }

        foreach ((string name, object? value) in options.ExtraVariables ?? new Dictionary<string, object?>())
        {
            variables[name] = value;
        }

        return _template.Render(variables);
    }

    /// <summary>Renders with exactly the given variables (plus the special-token strings, which they may override).</summary>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var all = new Dictionary<string, object?>(_specialTokens);
        foreach ((string name, object? value) in variables)
        {
            all[name] = value;
        }

        return _template.Render(all);
    }

    private static string? ReadTemplate(JsonElement root)
    {
        if (!root.TryGetProperty("chat_template", out JsonElement template))
        {
            return null;
        }

        if (template.ValueKind == JsonValueKind.String)
        {
            return template.GetString();
        }

        if (template.ValueKind == JsonValueKind.Array)
        {
            JsonElement? chosen = null;
            foreach (JsonElement named in template.EnumerateArray())
            {
                if (named.TryGetProperty("name", out JsonElement name) && name.GetString() == "default")
                {
                    chosen = named;
                }

                chosen ??= named;
            }

            return chosen?.GetProperty("template").GetString();
        }

        return null;
    }

    private static string? ReadTokenString(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out JsonElement content) => content.GetString(),
            _ => null,
        };
    }
}
