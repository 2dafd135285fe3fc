namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// The value of a missing variable, attribute or key. It prints as nothing, is false, iterates as empty and compares
/// unequal to everything; reading an attribute of it is an error (Jinja's default <c>Undefined</c>).
/// </summary>
internal sealed class Undefined(string description)
{
    /// <summary>What was looked up, e.g. <c>'tools' is undefined</c>.</summary>
    public string Description { get; } = description;
}

/// <summary>A <c>namespace(...)</c> object: the one mutable value, so loops can carry state out of their scope.</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>Something a template can call: a global function, a bound method or a macro.</summary>
internal interface IJinjaCallable
{
    object? Invoke(JinjaRenderer renderer, CallArguments arguments);
}

/// <summary>Evaluated arguments of a call, with helpers that produce Python-like errors.</summary>
internal sealed class CallArguments(string callee, IReadOnlyList<object?> positional, IReadOnlyList<(string Name, object? Value)> keywords,
    SourcePosition position)
{
    public string Callee { get; } = callee;

    public IReadOnlyList<object?> Positional { get; } = positional;

    public IReadOnlyList<(string Name, object? Value)> Keywords { get; } = keywords;

    public SourcePosition Position { get; } = position;

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, else the default.</summary>
    public object? Get(int index, string name, object? defaultValue = null)
    {
        foreach ((string n, object? v) in Keywords)
        {
            if (n == name)
            {
                return v;
            }
        }

        return index >= 0 && index < Positional.Count ? Positional[index] : defaultValue;
    }

    public bool Has(int index, string name) => (index >= 0 && index < Positional.Count) || Keywords.Any(k => k.Name == name);

    public object? Required(int index, string name) => Has(index, name)
        ? Get(index, name)
        : throw new ChatTemplateRenderException($"{Callee}() is missing its argument '{name}'", Position);

    public void ExpectAtMost(int count)
    {
        if (Positional.Count > count)
        {
            throw new ChatTemplateRenderException($"{Callee}() takes at most {count} positional arguments, got {Positional.Count}", Position);
        }
    }
}

/// <summary>A built-in function or a method bound to its receiver.</summary>
internal sealed class BuiltinCallable(string name, Func<JinjaRenderer, CallArguments, object?> body) : IJinjaCallable
{
    public string Name { get; } = name;

    public object? Invoke(JinjaRenderer renderer, CallArguments arguments) => body(renderer, arguments);
}

/// <summary>The <c>loop</c> variable inside a for loop.</summary>
internal sealed class LoopInfo(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public IReadOnlyList<object?> Items { get; } = items;

    public object? Attribute(string name) => name switch
    {
        "index0" => (long)Index0,
        "index" => (long)Index0 + 1,
        "revindex" => (long)(Items.Count - Index0),
        "revindex0" => (long)(Items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Items.Count - 1,
        "length" => (long)Items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? Items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 < Items.Count - 1 ? Items[Index0 + 1] : new Undefined("there is no next item"),
        "cycle" => new BuiltinCallable("loop.cycle", (_, args) => args.Positional.Count == 0
            ? throw new ChatTemplateRenderException("loop.cycle() needs at least one value", args.Position)
            : args.Positional[Index0 % args.Positional.Count]),
        _ => new Undefined($"loop has no attribute '{name}'"),
    };
}
