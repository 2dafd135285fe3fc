using System.Globalization;
using System.Text;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Python's <c>json.dumps</c> as Hugging Face's <c>tojson</c> filter calls it (<c>ensure_ascii=False</c> by
/// default, so non-ASCII text is kept, and no HTML escaping): the separators, indentation and number formats match.
/// </summary>
internal static class PythonJson
{
    public static string Dumps(object? value, string? indent, bool sortKeys, bool ensureAscii, string itemSeparator, string keySeparator,
        SourcePosition position)
    {
        var builder = new StringBuilder();
        Write(builder, value, indent, sortKeys, ensureAscii, itemSeparator, keySeparator, 0, position);
        return builder.ToString();
    }

    private static void Write(StringBuilder b, object? value, string? indent, bool sortKeys, bool ensureAscii, string itemSep, string keySep,
        int depth, SourcePosition position)
    {
        switch (value)
        {
            case null:
                b.Append("null");
                return;
            case bool flag:
                b.Append(flag ? "true" : "false");
                return;
            case long l:
                b.Append(l.ToString(CultureInfo.InvariantCulture));
                return;
            case double d:
                b.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PythonSemantics.FormatFloat(d));
                return;
            case string s:
                WriteString(b, s, ensureAscii);
                return;
            case List<object?> or object?[]:
                var items = (IReadOnlyList<object?>)value;
                WriteContainer(b, '[', ']', items.Count, indent, itemSep, depth, i =>
                    Write(b, items[i], indent, sortKeys, ensureAscii, itemSep, keySep, depth + 1, position));
                return;
            case OrderedDictionary<object, object?> dict:
                List<KeyValuePair<string, object?>> entries = dict.Select(kv => new KeyValuePair<string, object?>(KeyString(kv.Key, position), kv.Value)).ToList();
                if (sortKeys)
                {
                    entries.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
                }

                WriteContainer(b, '{', '}', entries.Count, indent, itemSep, depth, i =>
                {
                    WriteString(b, entries[i].Key, ensureAscii);
                    b.Append(keySep);
                    Write(b, entries[i].Value, indent, sortKeys, ensureAscii, itemSep, keySep, depth + 1, position);
                });
                return;
            default:
                throw new ChatTemplateRenderException($"object of type {PythonSemantics.TypeName(value)} is not JSON serializable", position);
        }
    }

    private static void WriteContainer(StringBuilder b, char open, char close, int count, string? indent, string itemSep, int depth,
        Action<int> writeItem)
    {
        b.Append(open);
        if (count == 0)
        {
            b.Append(close);
            return;
        }

        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                b.Append(itemSep);
            }

            if (indent is not null)
            {
                b.Append('\n');
                b.Insert(b.Length, indent, depth + 1);
            }

            writeItem(i);
        }

        if (indent is not null)
        {
            b.Append('\n');
            b.Insert(b.Length, indent, depth);
        }

        b.Append(close);
    }

    private static string KeyString(object key, SourcePosition position) => key switch
    {
        string s => s,
        bool flag => flag ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PythonSemantics.FormatFloat(d),
        _ => throw new ChatTemplateRenderException($"keys must be str, int, float or bool, not {PythonSemantics.TypeName(key)}", position),
    };

    private static void WriteString(StringBuilder b, string s, bool ensureAscii)
    {
        b.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7F))
                    {
                        b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        b.Append(c);
                    }

                    break;
            }
        }

        b.Append('"');
    }
}
