using System.Collections;
using System.Text.Json;

namespace Qwen2VL.Processing.Text.Jinja;

/// <summary>
/// Turns caller data into template values: JSON elements, dictionaries, lists, strings, numbers, booleans and null
/// become Python-like dicts, lists, str, int/float, bool and None.
/// </summary>
internal static class JinjaValueConverter
{
    public static object? FromClr(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        float f => (double)f,
        decimal m => (double)m,
        JsonElement element => FromJson(element),
        IDictionary<string, object?> dict => ToDict(dict),
        IReadOnlyDictionary<string, object?> dict => ToDict(dict),
        IDictionary dict => ToDict(dict.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(k.ToString()!, dict[k]))),
        IEnumerable items => items.Cast<object?>().Select(FromClr).ToList(),
        _ => throw new ArgumentException($"a chat template cannot use a value of type {value.GetType().Name}", nameof(value)),
    };

    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out long l) ? (object?)l : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        _ => ToDict(element.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value))),
    };

    private static OrderedDictionary<object, object?> ToDict(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        OrderedDictionary<object, object?> dict = PythonSemantics.NewDict();
        foreach ((string key, object? value) in entries)
        {
            dict[key] = FromClr(value);
        }

        return dict;
    }
}
