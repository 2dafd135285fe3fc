using System.Globalization;
using System.Net;
using System.Text;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// The Jinja filters chat templates use (<c>x | tojson</c>, <c>x | trim</c>, <c>x | length</c>, ...), with Jinja's
/// argument names and defaults. <c>tojson</c> is Hugging Face's version (plain <c>json.dumps</c>, non-ASCII kept).
/// </summary>
internal static class JinjaFilters
{
    private delegate object? Filter(JinjaRenderer renderer, object? value, CallArguments args);

    private static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["tojson"] = (_, v, a) => ToJson(v, a),
        ["trim"] = (_, v, a) => JinjaMembers.Strip(PythonSemantics.ToStr(v), a.Get(0, "chars"), left: true, right: true),
        ["length"] = (_, v, a) => PythonSemantics.Length(v, a.Position),
        ["count"] = (_, v, a) => PythonSemantics.Length(v, a.Position),
        ["upper"] = (_, v, _) => PythonSemantics.ToStr(v).ToUpperInvariant(),
        ["lower"] = (_, v, _) => PythonSemantics.ToStr(v).ToLowerInvariant(),
        ["title"] = (_, v, _) => JinjaMembers.Title(PythonSemantics.ToStr(v)),
        ["capitalize"] = (_, v, _) => JinjaMembers.Capitalize(PythonSemantics.ToStr(v)),
        ["default"] = Default,
        ["d"] = Default,
        ["first"] = (_, v, a) => PythonSemantics.Iterate(v, a.Position) is { Count: > 0 } items ? items[0] : new Undefined("no first item"),
        ["last"] = (_, v, a) => PythonSemantics.Iterate(v, a.Position) is { Count: > 0 } items ? items[^1] : new Undefined("no last item"),
        ["join"] = Join,
        ["list"] = (_, v, a) => PythonSemantics.Iterate(v, a.Position).ToList(),
        ["string"] = (_, v, _) => PythonSemantics.ToStr(v),
        ["safe"] = (_, v, _) => v,
        ["escape"] = (_, v, _) => WebUtility.HtmlEncode(PythonSemantics.ToStr(v)),
        ["e"] = (_, v, _) => WebUtility.HtmlEncode(PythonSemantics.ToStr(v)),
        ["int"] = ToInt,
        ["float"] = ToFloat,
        ["abs"] = (_, v, a) => v switch
        {
            long l => (object?)Math.Abs(l),
            double d => Math.Abs(d),
            _ => throw new ChatTemplateRenderException($"abs needs a number, not {PythonSemantics.TypeName(v)}", a.Position),
        },
        ["round"] = Round,
        ["replace"] = (r, v, a) => JinjaMembers.GetAttribute(PythonSemantics.ToStr(v), "replace", a.Position) is BuiltinCallable replace
            ? replace.Invoke(r, new CallArguments("replace", [a.Required(0, "old"), a.Required(1, "new"), a.Get(2, "count", -1L)], [], a.Position))
            : null,
        ["items"] = (_, v, a) => v is OrderedDictionary<object, object?> dict
            ? dict.Select(kv => (object?)new object?[] { kv.Key, kv.Value }).ToList()
            : v is Undefined ? [] : throw new ChatTemplateRenderException($"items needs a dict, not {PythonSemantics.TypeName(v)}", a.Position),
        ["dictsort"] = DictSort,
        ["unique"] = (_, v, a) => PythonSemantics.Iterate(v, a.Position)
            .Aggregate(new List<object?>(), (seen, x) =>
            {
                if (!seen.Any(s => PythonSemantics.Equals(s, x)))
                {
                    seen.Add(x);
                }

                return seen;
            }),
        ["sort"] = Sort,
        ["reverse"] = (_, v, a) => v is string s
            ? new string(s.Reverse().ToArray())
            : PythonSemantics.Iterate(v, a.Position).Reverse().ToList(),
        ["indent"] = Indent,
        ["map"] = Map,
        ["select"] = (r, v, a) => Select(v, a, keep: true, byAttribute: false),
        ["reject"] = (r, v, a) => Select(v, a, keep: false, byAttribute: false),
        ["selectattr"] = (r, v, a) => Select(v, a, keep: true, byAttribute: true),
        ["rejectattr"] = (r, v, a) => Select(v, a, keep: false, byAttribute: true),
        ["sum"] = (_, v, a) => PythonSemantics.Iterate(v, a.Position)
            .Select(x => a.Get(0, "attribute") is string attr ? JinjaMembers.GetItem(x, attr, a.Position) : x)
            .Aggregate(a.Get(1, "start", 0L), (acc, x) => PythonSemantics.Arithmetic("+", acc, x, a.Position)),
        ["min"] = (_, v, a) => Extreme(v, a, sign: -1),
        ["max"] = (_, v, a) => Extreme(v, a, sign: 1),
        ["wordcount"] = (_, v, _) => (long)PythonSemantics.ToStr(v).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length,
    };

    public static object? Apply(JinjaRenderer renderer, string name, object? value, CallArguments arguments)
    {
        if (!Filters.TryGetValue(name, out Filter? filter))
        {
            throw new ChatTemplateRenderException($"unsupported filter '| {name}' (supported: {string.Join(", ", Filters.Keys.Order())})",
                arguments.Position);
        }

        return filter(renderer, value, arguments);
    }

    private static string ToJson(object? value, CallArguments a)
    {
        object? indentArg = a.Get(1, "indent");
        string? indent = indentArg switch
        {
            null => null,
            long n => new string(' ', (int)n),
            string s => s,
            _ => throw new ChatTemplateRenderException("tojson indent must be an integer or a string", a.Position),
        };

        string itemSeparator = indent is null ? ", " : ",";
        string keySeparator = ": ";
        if (a.Get(2, "separators") is object?[] or List<object?>)
        {
            IReadOnlyList<object?> separators = PythonSemantics.Iterate(a.Get(2, "separators"), a.Position);
            itemSeparator = PythonSemantics.ToStr(separators[0]);
            keySeparator = PythonSemantics.ToStr(separators[1]);
        }

        bool ensureAscii = PythonSemantics.IsTruthy(a.Get(0, "ensure_ascii", false));
        bool sortKeys = PythonSemantics.IsTruthy(a.Get(3, "sort_keys", false));
        return PythonJson.Dumps(value, indent, sortKeys, ensureAscii, itemSeparator, keySeparator, a.Position);
    }

    private static object? Default(JinjaRenderer renderer, object? value, CallArguments a)
    {
        bool boolean = PythonSemantics.IsTruthy(a.Get(1, "boolean", false));
        bool useDefault = value is Undefined || (boolean && !PythonSemantics.IsTruthy(value));
        return useDefault ? a.Get(0, "default_value", "") : value;
    }

    private static string Join(JinjaRenderer renderer, object? value, CallArguments a)
    {
        string separator = PythonSemantics.ToStr(a.Get(0, "d", ""));
        IEnumerable<object?> items = PythonSemantics.Iterate(value, a.Position);
        if (a.Get(1, "attribute") is { } attribute and not Undefined)
        {
            items = items.Select(x => JinjaMembers.GetItem(x, attribute, a.Position));
        }

        return string.Join(separator, items.Select(PythonSemantics.ToStr));
    }

    private static object? ToInt(JinjaRenderer renderer, object? value, CallArguments a)
    {
        object? fallback = a.Get(0, "default", 0L);
        return value switch
        {
            long l => l,
            bool b => b ? 1L : 0L,
            double d when !double.IsNaN(d) && !double.IsInfinity(d) => (long)Math.Truncate(d),
            string s when long.TryParse(s.Trim().Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) => l,
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => (long)Math.Truncate(d),
            _ => fallback,
        };
    }

    private static object? ToFloat(JinjaRenderer renderer, object? value, CallArguments a)
    {
        object? fallback = a.Get(0, "default", 0.0);
        return value switch
        {
            long l => (double)l,
            double d => d,
            bool b => b ? 1.0 : 0.0,
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            _ => fallback,
        };
    }

    private static object? Round(JinjaRenderer renderer, object? value, CallArguments a)
    {
        int precision = a.Get(0, "precision", 0L) is long p ? (int)p : 0;
        string method = PythonSemantics.ToStr(a.Get(1, "method", "common"));
        double x = PythonSemantics.ToDouble(value);
        double factor = Math.Pow(10, precision);
        double scaled = x * factor;
        double rounded = method switch
        {
            "ceil" => Math.Ceiling(scaled),
            "floor" => Math.Floor(scaled),
            _ => Math.Round(scaled, MidpointRounding.AwayFromZero),
        };

        return rounded / factor;
    }

    private static List<object?> DictSort(JinjaRenderer renderer, object? value, CallArguments a)
    {
        if (value is not OrderedDictionary<object, object?> dict)
        {
            throw new ChatTemplateRenderException($"dictsort needs a dict, not {PythonSemantics.TypeName(value)}", a.Position);
        }

        bool caseSensitive = PythonSemantics.IsTruthy(a.Get(0, "case_sensitive", false));
        bool byValue = PythonSemantics.ToStr(a.Get(1, "by", "key")) == "value";
        bool reverse = PythonSemantics.IsTruthy(a.Get(2, "reverse", false));
        var pairs = dict.Select(kv => new object?[] { kv.Key, kv.Value }).ToList();
        pairs.Sort((x, y) => CompareForSort(byValue ? x[1] : x[0], byValue ? y[1] : y[0], caseSensitive, a.Position));
        if (reverse)
        {
            pairs.Reverse();
        }

        return pairs.Cast<object?>().ToList();
    }

    private static List<object?> Sort(JinjaRenderer renderer, object? value, CallArguments a)
    {
        bool reverse = PythonSemantics.IsTruthy(a.Get(0, "reverse", false));
        bool caseSensitive = PythonSemantics.IsTruthy(a.Get(1, "case_sensitive", false));
        object? attribute = a.Get(2, "attribute");
        List<object?> items = PythonSemantics.Iterate(value, a.Position).ToList();
        object? Key(object? x) => attribute is null or Undefined ? x : JinjaMembers.GetItem(x, attribute, a.Position);
        // OrderBy is stable, like Python's sort.
        List<object?> sorted = items.OrderBy(Key, Comparer<object?>.Create((x, y) => CompareForSort(x, y, caseSensitive, a.Position))).ToList();
        if (reverse)
        {
            sorted.Reverse();
        }

        return sorted;
    }

    private static int CompareForSort(object? x, object? y, bool caseSensitive, SourcePosition position) =>
        !caseSensitive && x is string sx && y is string sy
            ? string.CompareOrdinal(sx.ToLowerInvariant(), sy.ToLowerInvariant())
            : PythonSemantics.Compare(x, y, position);

    private static string Indent(JinjaRenderer renderer, object? value, CallArguments a)
    {
        object? width = a.Get(0, "width", 4L);
        string pad = width is string s ? s : new string(' ', (int)(width as long? ?? 4));
        bool first = PythonSemantics.IsTruthy(a.Get(1, "first", false));
        bool blank = PythonSemantics.IsTruthy(a.Get(2, "blank", false));
        string[] lines = PythonSemantics.ToStr(value).Split('\n');
        var builder = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('\n');
            }

            bool indentThis = (i > 0 || first) && (blank || lines[i].Length > 0);
            builder.Append(indentThis ? pad : "").Append(lines[i]);
        }

        return builder.ToString();
    }

    private static List<object?> Map(JinjaRenderer renderer, object? value, CallArguments a)
    {
        IReadOnlyList<object?> items = PythonSemantics.Iterate(value, a.Position);
        if (a.Keywords.Any(k => k.Name == "attribute"))
        {
            object? attribute = a.Get(-1, "attribute");
            object? fallback = a.Get(-1, "default");
            return items.Select(x => JinjaMembers.GetItem(x, attribute, a.Position) is Undefined && a.Has(-1, "default")
                ? fallback
                : JinjaMembers.GetItem(x, attribute, a.Position)).ToList();
        }

        string filter = a.Required(0, "filter") as string
            ?? throw new ChatTemplateRenderException("map needs a filter name or attribute=", a.Position);
        var rest = new CallArguments(filter, a.Positional.Skip(1).ToList(), a.Keywords, a.Position);
        return items.Select(x => Apply(renderer, filter, x, rest)).ToList();
    }

    private static List<object?> Select(object? value, CallArguments a, bool keep, bool byAttribute)
    {
        IReadOnlyList<object?> items = PythonSemantics.Iterate(value, a.Position);
        int next = 0;
        object? attribute = byAttribute ? a.Required(next++, "attribute") : null;
        string? test = next < a.Positional.Count ? PythonSemantics.ToStr(a.Positional[next++]) : null;
        var testArgs = new CallArguments(test ?? "truthy", a.Positional.Skip(next).ToList(), [], a.Position);
        return items.Where(x =>
        {
            object? subject = byAttribute ? JinjaMembers.GetItem(x, attribute, a.Position) : x;
            bool passed = test is null ? PythonSemantics.IsTruthy(subject) : JinjaTests.Apply(test, subject, testArgs);
            return passed == keep;
        }).ToList();
    }

    private static object? Extreme(object? value, CallArguments a, int sign)
    {
        IReadOnlyList<object?> items = PythonSemantics.Iterate(value, a.Position);
        if (items.Count == 0)
        {
            return new Undefined("no items");
        }

        object? best = items[0];
        foreach (object? item in items.Skip(1))
        {
            if (PythonSemantics.Compare(item, best, a.Position) * sign > 0)
            {
                best = item;
            }
        }

        return best;
    }
}
