namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// A parsed Jinja template, run by a small interpreter that covers what chat templates use: <c>if/elif/else</c>,
/// <c>for</c> with <c>loop.*</c> and <c>else</c>, <c>set</c> (also <c>namespace()</c> attributes and blocks),
/// <c>macro</c>, <c>break/continue</c>, <c>filter</c> blocks, <c>raw</c>, <c>generation</c>, expressions with
/// Python semantics, filters, tests and string/dict methods. Whitespace follows Hugging Face's settings
/// (<c>trim_blocks</c>, <c>lstrip_blocks</c>). Parsed once, rendered any number of times, from any thread.
/// </summary>
/// <remarks>
/// Written here because no maintained Jinja implementation exists for .NET, and every checkpoint, fine-tunes
/// included, ships its prompt format as a Jinja template.
/// </remarks>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<Node> _nodes;

    private JinjaTemplate(string source, IReadOnlyList<Node> nodes)
    {
        Source = source;
        _nodes = nodes;
    }

    /// <summary>The template source.</summary>
    public string Source { get; }

    /// <summary>Parses a template.</summary>
    /// <exception cref="ChatTemplateSyntaxException">Malformed, or uses an unsupported construct (named in the message).</exception>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>
    /// Renders with the given variables: strings, numbers, booleans, null, dictionaries with string keys, lists, and
    /// <see cref="System.Text.Json.JsonElement"/> values.
    /// </summary>
    /// <exception cref="ChatTemplateRaisedException">The template called <c>raise_exception</c>.</exception>
    /// <exception cref="ChatTemplateRenderException">Evaluation failed (wrong types, unsupported filter, ...).</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string name, object? value) in variables)
        {
            values[name] = JinjaValueConverter.FromClr(value);
        }

        return _nodes.Count == 0 ? "" : new JinjaRenderer(values).Render(_nodes);
    }
}
