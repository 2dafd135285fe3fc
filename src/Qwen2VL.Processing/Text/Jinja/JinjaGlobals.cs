namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Functions every template can call: Jinja's <c>range</c>, <c>namespace</c>, <c>dict</c>, and the two Hugging Face
/// adds for chat templates, <c>raise_exception</c> and <c>strftime_now</c>.
/// </summary>
internal static class JinjaGlobals
{
    private static readonly Dictionary<string, object?> Functions = new(StringComparer.Ordinal)
    {
        ["range"] = new BuiltinCallable("range", (_, args) => Range(args)),
        ["namespace"] = new BuiltinCallable("namespace", (_, args) => Namespace(args)),
        ["dict"] = new BuiltinCallable("dict", (_, args) => Dict(args)),
        ["raise_exception"] = new BuiltinCallable("raise_exception", (_, args) =>
            throw new ChatTemplateRaisedException(PythonSemantics.ToStr(args.Get(0, "message", "")), args.Position)),
        ["strftime_now"] = new BuiltinCallable("strftime_now", (_, args) =>
            PythonStrftime.Format(DateTime.Now, PythonSemantics.ToStr(args.Required(0, "format")))),
    };

    public static bool TryGet(string name, out object? value) => Functions.TryGetValue(name, out value);

    private static List<object?> Range(CallArguments args)
    {
        long Arg(int i) => args.Positional[i] is long l ? l
            : throw new ChatTemplateRenderException($"range() takes integers, not {PythonSemantics.TypeName(args.Positional[i])}", args.Position);

        (long start, long stop, long step) = args.Positional.Count switch
        {
            1 => (0L, Arg(0), 1L),
            2 => (Arg(0), Arg(1), 1L),
            3 => (Arg(0), Arg(1), Arg(2)),
            _ => throw new ChatTemplateRenderException($"range() takes 1 to 3 arguments, got {args.Positional.Count}", args.Position),
        };

        if (step == 0)
        {
            throw new ChatTemplateRenderException("range() step must not be zero", args.Position);
        }

        var result = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            result.Add(i);
            if (result.Count > 1_000_000)
            {
                throw new ChatTemplateRenderException("range() is limited to a million items", args.Position);
            }
        }

        return result;
    }

    private static JinjaNamespace Namespace(CallArguments args)
    {
        var ns = new JinjaNamespace();
        foreach (object? initial in args.Positional)
        {
            if (initial is not OrderedDictionary<object, object?> dict)
            {
                throw new ChatTemplateRenderException("namespace() takes a dict or keyword arguments", args.Position);
            }

            foreach ((object key, object? value) in dict)
            {
                ns.Attributes[PythonSemantics.ToStr(key)] = value;
            }
        }

        foreach ((string name, object? value) in args.Keywords)
        {
            ns.Attributes[name] = value;
        }

        return ns;
    }

    private static OrderedDictionary<object, object?> Dict(CallArguments args)
    {
        OrderedDictionary<object, object?> result = PythonSemantics.NewDict();
        if (args.Positional.Count > 0 && args.Positional[0] is OrderedDictionary<object, object?> source)
        {
            foreach ((object key, object? value) in source)
            {
                result[key] = value;
            }
        }

        foreach ((string name, object? value) in args.Keywords)
        {
            result[name] = value;
        }

        return result;
    }
}
