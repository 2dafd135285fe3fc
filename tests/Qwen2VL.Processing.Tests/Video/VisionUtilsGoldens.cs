using System.Text.Json;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Video;

/// <summary>Reads qwen-vl-utils' constants and tables from vision_utils_goldens.json.</summary>
public static class VisionUtilsGoldens
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "vision_utils_goldens.json"))).RootElement);

    public static JsonElement Constants => Root.Value.GetProperty("constants");

    public static IEnumerable<JsonElement> Table(string name) => Root.Value.GetProperty(name).EnumerateArray();
}
