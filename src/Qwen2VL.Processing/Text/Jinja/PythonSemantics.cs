using System.Globalization;
using System.Text;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Python's rules for the template's values, which Jinja inherits: truthiness, <c>str()</c> and <c>repr()</c>,
/// equality and ordering, arithmetic, iteration and membership. Values are null (None), <see cref="Undefined"/>,
/// bool, long, double, string, <see cref="List{T}"/> (list), <c>object?[]</c> (tuple), <see cref="OrderedDictionary{TKey,TValue}"/>
/// (dict, insertion-ordered), <see cref="JinjaNamespace"/>, <see cref="LoopInfo"/> and callables.
/// </summary>
internal static class PythonSemantics
{
    /// <summary>A new empty dict with Python key equality (1 == 1.0, ordinal strings).</summary>
    public static OrderedDictionary<object, object?> NewDict() => new(PythonKeyComparer.Instance);

    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        OrderedDictionary<object, object?> dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>Python <c>str()</c>; undefined prints as nothing.</summary>
    public static string ToStr(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(value),
    };

    /// <summary>Python <c>repr()</c>, as lists and dicts print their items.</summary>
    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value);
        return builder.ToString();
    }

    private static void AppendRepr(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("None");
                break;
            case Undefined:
                break;
            case bool b:
                builder.Append(b ? "True" : "False");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case string s:
                AppendStringRepr(builder, s);
                break;
            case List<object?> list:
                builder.Append('[');
                AppendItems(builder, list);
                builder.Append(']');
                break;
            case object?[] tuple:
                builder.Append('(');
                AppendItems(builder, tuple);
                builder.Append(tuple.Length == 1 ? ",)" : ")");
                break;
            case OrderedDictionary<object, object?> dict:
                builder.Append('{');
                bool first = true;
                foreach ((object key, object? item) in dict)
                {
                    builder.Append(first ? "" : ", ");
                    first = false;
                    AppendRepr(builder, key);
                    builder.Append(": ");
                    AppendRepr(builder, item);
                }

                builder.Append('}');
                break;
            case JinjaNamespace ns:
                builder.Append("<Namespace {");
                builder.AppendJoin(", ", ns.Attributes.Select(a => $"{Repr(a.Key)}: {Repr(a.Value)}"));
                builder.Append("}>");
                break;
            default:
                builder.Append('<').Append(value.GetType().Name).Append('>');
                break;
        }
    }

    private static void AppendItems(StringBuilder builder, IEnumerable<object?> items)
    {
        bool first = true;
        foreach (object? item in items)
        {
            builder.Append(first ? "" : ", ");
            first = false;
            AppendRepr(builder, item);
        }
    }

    private static void AppendStringRepr(StringBuilder builder, string s)
    {
        char quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7F)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append(quote);
    }

    /// <summary>Python's float repr: shortest round-trip digits, always with a '.' or an exponent.</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        // Shortest round-trip digits, then Python's layout: positional for exponents in [-4, 16), else scientific.
        string r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e < 0 ? r : r[..e];
        int exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string integerPart = dot < 0 ? mantissa : mantissa[..dot];
        string digits = integerPart + (dot < 0 ? "" : mantissa[(dot + 1)..]);
        int point = integerPart.Length + exponent;
        while (digits.Length > 1 && digits[0] == '0')
        {
            digits = digits[1..];
            point--;
        }

        digits = digits.TrimEnd('0');
        string sign = d < 0 ? "-" : "";
        int scientific = point - 1;
        if (scientific is >= -4 and < 16)
        {
            if (point <= 0)
            {
                return $"{sign}0.{new string('0', -point)}{digits}";
            }

            return point >= digits.Length
                ? $"{sign}{digits}{new string('0', point - digits.Length)}.0"
                : $"{sign}{digits[..point]}.{digits[point..]}";
        }

        string fraction = digits.Length > 1 ? "." + digits[1..] : "";
        string expSign = scientific < 0 ? "-" : "+";
        return $"{sign}{digits[0]}{fraction}e{expSign}{Math.Abs(scientific).ToString("00", CultureInfo.InvariantCulture)}";
    }

    public static new bool Equals(object? a, object? b)
    {
        if (a is Undefined || b is Undefined)
        {
            return a is Undefined && b is Undefined;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return a is long la && b is long lb ? la == lb : ToDouble(a) == ToDouble(b);
        }

        return (a, b) switch
        {
            (null, null) => true,
            (string sa, string sb) => string.Equals(sa, sb, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => SequenceEquals(x, y),
            (object?[] x, object?[] y) => SequenceEquals(x, y),
            (OrderedDictionary<object, object?> x, OrderedDictionary<object, object?> y) =>
                x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out object? v) && Equals(kv.Value, v)),
            _ => ReferenceEquals(a, b),
        };
    }

    private static bool SequenceEquals(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (int i = 0; i < x.Count; i++)
        {
            if (!Equals(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python ordering (numbers with numbers, strings with strings, sequences item by item).</summary>
    public static int Compare(object? a, object? b, SourcePosition position)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is long la && b is long lb ? la.CompareTo(lb) : ToDouble(a).CompareTo(ToDouble(b));
        }

        if (a is string sa && b is string sb)
        {
            return string.CompareOrdinal(sa, sb);
        }

        if (AsSequence(a) is { } xa && AsSequence(b) is { } xb && a?.GetType() == b?.GetType())
        {
            for (int i = 0; i < Math.Min(xa.Count, xb.Count); i++)
            {
                if (!Equals(xa[i], xb[i]))
                {
                    return Compare(xa[i], xb[i], position);
                }
            }

            return xa.Count.CompareTo(xb.Count);
        }

        throw new ChatTemplateRenderException($"cannot order {TypeName(a)} and {TypeName(b)}", position);
    }

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidCastException($"{TypeName(value)} is not a number"),
    };

    private static IReadOnlyList<object?>? AsSequence(object? value) => value switch
    {
        List<object?> list => list,
        object?[] tuple => tuple,
        _ => null,
    };

    /// <summary>The Python type name, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "None",
        Undefined => "undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        OrderedDictionary<object, object?> => "dict",
        JinjaNamespace => "namespace",
        IJinjaCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>The items a for loop visits: list and tuple items, dict keys, string characters; undefined is empty.</summary>
    public static IReadOnlyList<object?> Iterate(object? value, SourcePosition position) => value switch
    {
        Undefined => [],
        List<object?> list => list,
        object?[] tuple => tuple,
        OrderedDictionary<object, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
        _ => throw new ChatTemplateRenderException($"{TypeName(value)} is not iterable", position),
    };

    public static long Length(object? value, SourcePosition position) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        OrderedDictionary<object, object?> dict => dict.Count,
        Undefined => 0,
        _ => throw new ChatTemplateRenderException($"object of type {TypeName(value)} has no length", position),
    };

    /// <summary>Python <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item, SourcePosition position) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new ChatTemplateRenderException($"'in <string>' requires a string on the left, not {TypeName(item)}", position),
        OrderedDictionary<object, object?> dict => item is not null and not Undefined && dict.ContainsKey(item),
        Undefined => false,
        _ => Iterate(container, position).Any(x => Equals(x, item)),
    };

    /// <summary>Binary arithmetic with Python's int/float rules.</summary>
    public static object? Arithmetic(string op, object? a, object? b, SourcePosition position)
    {
        if (op == "+")
        {
            switch (a, b)
            {
                case (string sa, string sb):
                    return sa + sb;
                case (List<object?> la, List<object?> lb):
                    return la.Concat(lb).ToList();
                case (object?[] ta, object?[] tb):
                    return ta.Concat(tb).ToArray();
            }
        }

        if (op == "*")
        {
            switch (a, b)
            {
                case (string s, long n):
                    return string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, n)));
                case (List<object?> list, long n):
                    return Enumerable.Repeat(list, (int)Math.Max(0, n)).SelectMany(x => x).ToList();
            }
        }

        if (op == "%" && a is string)
        {
            throw new ChatTemplateRenderException("unsupported printf-style string formatting ('...' % value); use the format filter", position);
        }

        if (!IsNumber(a) || !IsNumber(b))
        {
            throw new ChatTemplateRenderException($"unsupported operand types for {op}: {TypeName(a)} and {TypeName(b)}", position);
        }

        bool integers = a is long or bool && b is long or bool;
        if (integers && op != "/")
        {
            long x = a is bool ba ? (ba ? 1 : 0) : (long)a!;
            long y = b is bool bb ? (bb ? 1 : 0) : (long)b!;
            switch (op)
            {
                case "+": return x + y;
                case "-": return x - y;
                case "*": return x * y;
                case "**" when y >= 0: return (long)Math.Pow(x, y);
                case "**": return Math.Pow(x, y);
                case "//" or "%" when y == 0:
                    throw new ChatTemplateRenderException("integer division or modulo by zero", position);
                case "//": return (long)Math.Floor(x / (double)y);
                case "%": return ((x % y) + y) % y;
            }
        }

        double dx = ToDouble(a), dy = ToDouble(b);
        if (op is "/" or "//" or "%" && dy == 0)
        {
            throw new ChatTemplateRenderException("division by zero", position);
        }

        return op switch
        {
            "+" => dx + dy,
            "-" => dx - dy,
            "*" => dx * dy,
            "/" => dx / dy,
            "//" => Math.Floor(dx / dy),
            "%" => dx - (dy * Math.Floor(dx / dy)),
            "**" => Math.Pow(dx, dy),
            _ => throw new ChatTemplateRenderException($"unknown operator {op}", position),
        };
    }

    /// <summary>Dict key equality and hashing with Python's rules.</summary>
    private sealed class PythonKeyComparer : IEqualityComparer<object>
    {
        public static PythonKeyComparer Instance { get; } = new();

        bool IEqualityComparer<object>.Equals(object? x, object? y) => PythonSemantics.Equals(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            long or double or bool => ToDouble(obj).GetHashCode(),
            string s => StringComparer.Ordinal.GetHashCode(s),
            _ => obj.GetHashCode(),
        };
    }
}
