namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>The Jinja tests (<c>x is defined</c>, <c>x is string</c>, <c>n is divisibleby 3</c>, ...).</summary>
internal static class JinjaTests
{
    private static readonly Dictionary<string, Func<object?, CallArguments, bool>> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["none"] = (v, _) => v is null,
        ["string"] = (v, _) => v is string,
        ["number"] = (v, _) => v is long or double,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["mapping"] = (v, _) => v is OrderedDictionary<object, object?>,
        ["sequence"] = (v, _) => v is string or List<object?> or object?[] or OrderedDictionary<object, object?>,
        ["iterable"] = (v, _) => v is string or List<object?> or object?[] or OrderedDictionary<object, object?>,
        ["callable"] = (v, _) => v is IJinjaCallable,
        ["even"] = (v, a) => Integer(v, a) % 2 == 0,
        ["odd"] = (v, a) => Integer(v, a) % 2 != 0,
        ["divisibleby"] = (v, a) => a.Required(0, "num") is long n && n != 0 && Integer(v, a) % n == 0,
        ["eq"] = (v, a) => PythonSemantics.Equals(v, a.Required(0, "other")),
        ["equalto"] = (v, a) => PythonSemantics.Equals(v, a.Required(0, "other")),
        ["=="] = (v, a) => PythonSemantics.Equals(v, a.Required(0, "other")),
        ["ne"] = (v, a) => !PythonSemantics.Equals(v, a.Required(0, "other")),
        ["!="] = (v, a) => !PythonSemantics.Equals(v, a.Required(0, "other")),
        ["lt"] = (v, a) => PythonSemantics.Compare(v, a.Required(0, "other"), a.Position) < 0,
        ["lessthan"] = (v, a) => PythonSemantics.Compare(v, a.Required(0, "other"), a.Position) < 0,
        ["le"] = (v, a) => PythonSemantics.Compare(v, a.Required(0, "other"), a.Position) <= 0,
        ["gt"] = (v, a) => PythonSemantics.Compare(v, a.Required(0, "other"), a.Position) > 0,
        ["greaterthan"] = (v, a) => PythonSemantics.Compare(v, a.Required(0, "other"), a.Position) > 0,
        ["ge"] = (v, a) => PythonSemantics.Compare(v, a.Required(0, "other"), a.Position) >= 0,
        ["in"] = (v, a) => PythonSemantics.Contains(a.Required(0, "seq"), v, a.Position),
        ["sameas"] = (v, a) => a.Required(0, "other") is var other
            && (ReferenceEquals(v, other) || (v is null && other is null) || (v is bool x && other is bool y && x == y)),
        ["lower"] = (v, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _) => v is string s && s == s.ToUpperInvariant(),
    };

    /// <summary>Whether a test name exists (for <c>select</c> and friends).</summary>
    public static bool Exists(string name) => Tests.ContainsKey(name);

    public static bool Apply(string name, object? value, CallArguments arguments)
    {
        if (!Tests.TryGetValue(name, out Func<object?, CallArguments, bool>? test))
        {
            throw new ChatTemplateRenderException($"unsupported test 'is {name}' (supported: {string.Join(", ", Tests.Keys.Order())})",
                arguments.Position);
        }

        return test(value, arguments);
    }

    private static long Integer(object? value, CallArguments arguments) => value is long l
        ? l
        : throw new ChatTemplateRenderException($"'is {arguments.Callee}' needs an integer, not {PythonSemantics.TypeName(value)}", arguments.Position);
}
