namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>A <c>{% macro %}</c> definition; calling it renders its body and returns the text.</summary>
internal sealed class JinjaMacro(MacroNode definition, Dictionary<string, object?> topLevel) : IJinjaCallable
{
    public object? Invoke(JinjaRenderer renderer, CallArguments arguments)
    {
        if (arguments.Positional.Count > definition.Parameters.Count)
        {
            throw new ChatTemplateRenderException(
                $"macro '{definition.Name}' takes {definition.Parameters.Count} arguments, got {arguments.Positional.Count}", arguments.Position);
        }

        foreach ((string name, _) in arguments.Keywords)
        {
            if (!definition.Parameters.Any(p => p.Name == name))
            {
                throw new ChatTemplateRenderException($"macro '{definition.Name}' has no parameter '{name}'", arguments.Position);
            }
        }

        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < definition.Parameters.Count; i++)
        {
            (string name, Expr? defaultValue) = definition.Parameters[i];
            parameters[name] = arguments.Has(i, name)
                ? arguments.Get(i, name)
                : defaultValue is null ? new Undefined($"macro parameter '{name}' was not passed") : renderer.Evaluate(defaultValue);
        }

        return renderer.RenderMacro(definition.Body, topLevel, parameters);
    }
}
