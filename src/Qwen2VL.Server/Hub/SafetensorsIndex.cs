using System.Text.Json;

namespace Qwen2VL.Server.Hub;

/// <summary>A sharded checkpoint's <c>model.safetensors.index.json</c>: which shard file holds each tensor.</summary>
public sealed class SafetensorsIndex
{
    private SafetensorsIndex(IReadOnlyDictionary<string, string> weightMap) => WeightMap = weightMap;

    /// <summary>Tensor name to shard file name.</summary>
    public IReadOnlyDictionary<string, string> WeightMap { get; }

    /// <summary>Reads the index; errors name the file.</summary>
    public static SafetensorsIndex Load(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        if (!json.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path} has no weight_map object");
        }

        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            weightMap[entry.Name] = entry.Value.GetString() is { Length: > 0 } shard
                ? shard
                : throw new InvalidDataException($"{path}: tensor '{entry.Name}' maps to no shard file");
        }

        return new SafetensorsIndex(weightMap);
    }

    /// <summary>The shard files holding at least one tensor that <paramref name="needed"/> accepts, in name order.</summary>
    public IReadOnlyList<string> ShardsFor(Func<string, bool> needed) =>
        [.. WeightMap.Where(entry => needed(entry.Key)).Select(entry => entry.Value).Distinct().Order(StringComparer.Ordinal)];
}
