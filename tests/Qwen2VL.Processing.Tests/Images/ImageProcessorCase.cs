using System.Text.Json;
using Qwen2VL.Processing.Images;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Images;

/// <summary>The <c>h_image_processor</c> golden case: per-image metadata from case.json and its tensors.</summary>
internal static class ImageProcessorCase
{
    public const string Name = "h_image_processor";

    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "case.json"))));

    private static readonly Lazy<GoldenTensors> LazyTensors = new(() => GoldenTensors.ForCase(Name));

    public static string Folder => Path.Combine(TestPaths.Cases, Name);

    public static GoldenTensors Tensors => LazyTensors.Value;

    public static VisionPreprocessorOptions Options => VisionPreprocessorOptions.Load(TestPaths.Checkpoint);

    public static IEnumerable<JsonElement> Images => Document.Value.RootElement.GetProperty("images").EnumerateArray();

    /// <summary>Images the processor accepts (they have a grid).</summary>
    public static TheoryData<string> ValidImageNames()
    {
        var data = new TheoryData<string>();
        foreach (var image in Images.Where(i => i.TryGetProperty("image_grid_thw", out _)))
        {
            data.Add(image.GetProperty("name").GetString()!);
        }

        return data;
    }

    /// <summary>Images the processor refuses.</summary>
    public static TheoryData<string> ErrorImageNames()
    {
        var data = new TheoryData<string>();
        foreach (var image in Images.Where(i => i.TryGetProperty("expected_error", out _)))
        {
            data.Add(image.GetProperty("name").GetString()!);
        }

        return data;
    }

    public static JsonElement Image(string name) =>
        Images.Single(i => i.GetProperty("name").GetString() == name);

    public static byte[] FileBytes(string name) =>
        File.ReadAllBytes(Path.Combine(Folder, Image(name).GetProperty("file").GetString()!));

    public static int[] IntArray(JsonElement element) => element.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
