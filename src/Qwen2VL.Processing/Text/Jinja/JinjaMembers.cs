using System.Text;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Attribute and item access (<c>a.b</c>, <c>a['b']</c>, <c>a[1:]</c>) and the Python methods templates call on
/// strings and dicts (<c>strip</c>, <c>split</c>, <c>startswith</c>, <c>items</c>, <c>get</c>, ...). Like Jinja's
/// sandbox, nothing here mutates a value.
/// </summary>
internal static class JinjaMembers
{
    public static object? GetAttribute(object? target, string name, SourcePosition position)
    {
        switch (target)
        {
            case Undefined undefined:
                throw new ChatTemplateRenderException($"{undefined.Description}; cannot read its attribute '{name}'", position);
            case OrderedDictionary<object, object?> dict:
                return dict.TryGetValue(name, out object? value) ? value : (object?)DictMethod(dict, name) ?? Missing(target, name);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out object? attribute) ? attribute : Missing(target, name);
            case LoopInfo loop:
                return loop.Attribute(name);
            case string s:
                return (object?)StringMethod(s, name) ?? Missing(target, name);
            default:
                return Missing(target, name);
        }
    }

    public static object? GetItem(object? target, object? key, SourcePosition position)
    {
        switch (target)
        {
            case Undefined undefined:
                throw new ChatTemplateRenderException($"{undefined.Description}; cannot read its item {PythonSemantics.Repr(key)}", position);
            case OrderedDictionary<object, object?> dict when key is not null and not Undefined:
                if (dict.TryGetValue(key, out object? value))
                {
                    return value;
                }

                break;
            case List<object?> or object?[] when key is long or bool:
                var items = (IReadOnlyList<object?>)target;
                long index = key is bool b ? (b ? 1 : 0) : (long)key;
                if (index < 0)
                {
                    index += items.Count;
                }

                return index >= 0 && index < items.Count ? items[(int)index] : new Undefined($"index {key} is out of range");
            case string s when key is long l:
                string[] chars = s.EnumerateRunes().Select(r => r.ToString()).ToArray();
                long at = l < 0 ? l + chars.Length : l;
                return at >= 0 && at < chars.Length ? chars[at] : new Undefined($"string index {l} is out of range");
        }

        // Jinja falls back from item to attribute access for string keys (e.g. dict methods, namespace attributes).
        return key is string name ? GetAttribute(target, name, position) : Missing(target, PythonSemantics.Repr(key));
    }

    public static object? Slice(object? target, object? start, object? stop, object? step, SourcePosition position)
    {
        long? Bound(object? value, string what) => value switch
        {
            null => null,
            long l => l,
            _ => throw new ChatTemplateRenderException($"slice {what} must be an integer or none, not {PythonSemantics.TypeName(value)}", position),
        };

        long stepValue = Bound(step, "step") ?? 1;
        if (stepValue == 0)
        {
            throw new ChatTemplateRenderException("slice step cannot be zero", position);
        }

        IReadOnlyList<object?> items = target switch
        {
            string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
            List<object?> list => list,
            object?[] tuple => tuple,
            _ => throw new ChatTemplateRenderException($"'{PythonSemantics.TypeName(target)}' object is not subscriptable", position),
        };

        var picked = new List<object?>();
        foreach (int i in SliceIndices(items.Count, Bound(start, "start"), Bound(stop, "stop"), stepValue))
        {
            picked.Add(items[i]);
        }

        return target switch
        {
            string => string.Concat(picked.Cast<string>()),
            object?[] => picked.ToArray(),
            _ => picked,
        };
    }

    // Python's slice.indices: clamp start/stop to the sequence, counting negatives from the end.
    private static IEnumerable<int> SliceIndices(int length, long? start, long? stop, long step)
    {
        long Clamp(long? value, long defaultValue, long low, long high)
        {
            if (value is null)
            {
                return defaultValue;
            }

            long v = value.Value < 0 ? value.Value + length : value.Value;
            return Math.Clamp(v, low, high);
        }

        if (step > 0)
        {
            long from = Clamp(start, 0, 0, length), to = Clamp(stop, length, 0, length);
            for (long i = from; i < to; i += step)
            {
                yield return (int)i;
            }
        }
        else
        {
            long from = Clamp(start, length - 1, -1, length - 1), to = Clamp(stop, -1, -1, length - 1);
            for (long i = from; i > to; i += step)
            {
                yield return (int)i;
            }
        }
    }

    private static Undefined Missing(object? target, string name) =>
        new($"'{PythonSemantics.TypeName(target)}' object has no attribute '{name}'");

    private static BuiltinCallable? DictMethod(OrderedDictionary<object, object?> dict, string name) => name switch
    {
        "items" => new BuiltinCallable(name, (_, _) => dict.Select(kv => (object?)new object?[] { kv.Key, kv.Value }).ToList()),
        "keys" => new BuiltinCallable(name, (_, _) => dict.Keys.Cast<object?>().ToList()),
        "values" => new BuiltinCallable(name, (_, _) => dict.Values.ToList()),
        "get" => new BuiltinCallable(name, (_, args) =>
            args.Required(0, "key") is { } key and not Undefined && dict.TryGetValue(key, out object? v) ? v : args.Get(1, "default")),
        _ => null,
    };

    private static BuiltinCallable? StringMethod(string s, string name) => name switch
    {
        "strip" => new BuiltinCallable(name, (_, args) => Strip(s, args.Get(0, "chars"), left: true, right: true)),
        "lstrip" => new BuiltinCallable(name, (_, args) => Strip(s, args.Get(0, "chars"), left: true, right: false)),
        "rstrip" => new BuiltinCallable(name, (_, args) => Strip(s, args.Get(0, "chars"), left: false, right: true)),
        "upper" => new BuiltinCallable(name, (_, _) => s.ToUpperInvariant()),
        "lower" => new BuiltinCallable(name, (_, _) => s.ToLowerInvariant()),
        "title" => new BuiltinCallable(name, (_, _) => Title(s)),
        "capitalize" => new BuiltinCallable(name, (_, _) => Capitalize(s)),
        "startswith" => new BuiltinCallable(name, (_, args) => AnyAffix(args.Required(0, "prefix"), a => s.StartsWith(a, StringComparison.Ordinal), args)),
        "endswith" => new BuiltinCallable(name, (_, args) => AnyAffix(args.Required(0, "suffix"), a => s.EndsWith(a, StringComparison.Ordinal), args)),
        "split" => new BuiltinCallable(name, (_, args) => Split(s, args.Get(0, "sep"), args.Get(1, "maxsplit", -1L))),
        "splitlines" => new BuiltinCallable(name, (_, _) => SplitLines(s)),
        "replace" => new BuiltinCallable(name, (_, args) => Replace(s, args)),
        "find" => new BuiltinCallable(name, (_, args) => (long)s.IndexOf(StringArg(args, 0, "sub"), StringComparison.Ordinal)),
        "count" => new BuiltinCallable(name, (_, args) => CountOccurrences(s, StringArg(args, 0, "sub"))),
        "join" => new BuiltinCallable(name, (_, args) =>
            string.Join(s, PythonSemantics.Iterate(args.Required(0, "iterable"), args.Position).Select(PythonSemantics.ToStr))),
        "isdigit" => new BuiltinCallable(name, (_, _) => s.Length > 0 && s.All(char.IsDigit)),
        "isspace" => new BuiltinCallable(name, (_, _) => s.Length > 0 && s.All(char.IsWhiteSpace)),
        "isalpha" => new BuiltinCallable(name, (_, _) => s.Length > 0 && s.All(char.IsLetter)),
        "format" => new BuiltinCallable(name, (_, args) => throw new ChatTemplateRenderException("unsupported str.format(); use ~ to join strings", args.Position)),
        _ => null,
    };

    private static string StringArg(CallArguments args, int index, string name) => args.Required(index, name) as string
        ?? throw new ChatTemplateRenderException($"{args.Callee}() expects a string for '{name}'", args.Position);

    /// <summary>Python <c>str.strip([chars])</c>: whitespace by default, otherwise any of the given characters.</summary>
    public static string Strip(string s, object? chars, bool left, bool right)
    {
        if (chars is null or Undefined)
        {
            return left && right ? s.Trim() : left ? s.TrimStart() : s.TrimEnd();
        }

        char[] set = PythonSemantics.ToStr(chars).ToCharArray();
        return left && right ? s.Trim(set) : left ? s.TrimStart(set) : s.TrimEnd(set);
    }

    private static bool AnyAffix(object? affix, Func<string, bool> matches, CallArguments args) => affix switch
    {
        string a => matches(a),
        object?[] or List<object?> => PythonSemantics.Iterate(affix, args.Position).Any(a => a is string text && matches(text)),
        _ => throw new ChatTemplateRenderException($"{args.Callee}() takes a string or a tuple of strings", args.Position),
    };

    private static List<object?> Split(string s, object? separator, object? maxSplit)
    {
        int limit = maxSplit is long l && l >= 0 ? (int)l : int.MaxValue;
        if (separator is null or Undefined)
        {
            // Whitespace split: runs of whitespace separate, leading/trailing whitespace is dropped.
            var parts = new List<object?>();
            int i = 0;
            while (i < s.Length)
            {
                while (i < s.Length && char.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                if (i == s.Length)
                {
                    break;
                }

                if (parts.Count == limit)
                {
                    parts.Add(s[i..].TrimEnd());
                    break;
                }

                int start = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                parts.Add(s[start..i]);
            }

            return parts;
        }

        string sep = PythonSemantics.ToStr(separator);
        return s.Split(sep, limit == int.MaxValue ? int.MaxValue : limit + 1).Select(p => (object?)p).ToList();
    }

    private static string Replace(string s, CallArguments args)
    {
        string old = StringArg(args, 0, "old");
        string replacement = PythonSemantics.ToStr(args.Required(1, "new"));
        long count = args.Get(2, "count", -1L) is long c ? c : -1;
        if (count < 0)
        {
            return old.Length == 0 ? InsertEverywhere(s, replacement) : s.Replace(old, replacement, StringComparison.Ordinal);
        }

        var builder = new StringBuilder();
        int position = 0;
        for (long n = 0; n < count; n++)
        {
            int found = s.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0 || old.Length == 0)
            {
                break;
            }

            builder.Append(s, position, found - position).Append(replacement);
            position = found + old.Length;
        }

        return builder.Append(s, position, s.Length - position).ToString();
    }

    private static List<object?> SplitLines(string s)
    {
        List<object?> lines = s.ReplaceLineEndings("\n").Split('\n').Select(l => (object?)l).ToList();
        if (lines.Count > 0 && (string)lines[^1]! == "")
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static string InsertEverywhere(string s, string insert) =>
        insert + string.Concat(s.Select(c => c + insert));

    private static long CountOccurrences(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return s.Length + 1;
        }

        long count = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Python <c>str.title()</c>: upper-case the first letter of every run of letters.</summary>
    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        bool previousIsLetter = false;
        foreach (char c in s)
        {
            builder.Append(previousIsLetter ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousIsLetter = char.IsLetter(c);
        }

        return builder.ToString();
    }

    /// <summary>Python <c>str.capitalize()</c>: first character upper, the rest lower.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
