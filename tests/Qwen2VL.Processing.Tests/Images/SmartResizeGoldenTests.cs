using System.Text.Json;
using Qwen2VL.Processing.Images;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Images;

/// <summary><see cref="SmartResize"/> against every table of vision_utils_goldens.json and h_image_processor/case.json.</summary>
public sealed class SmartResizeGoldenTests
{
    private const int Factor = 28;
    private const long RealMinPixels = 3136;
    private const long RealMaxPixels = 12845056;

    // Column name in vision_utils_goldens.json → (min_pixels, max_pixels) of qwen-vl-utils' smart_resize.
    private static readonly Dictionary<string, (long Min, long Max)> UtilsColumns = new()
    {
        ["defaults"] = (RealMinPixels, RealMaxPixels),
        ["min3136_max50176"] = (3136, 50176),
        ["video_defaults_min100352_max602112"] = (100352, 602112),
    };

    public static TheoryData<int, int, string> UtilsTable()
    {
        var data = new TheoryData<int, int, string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "vision_utils_goldens.json")));
        foreach (var row in doc.RootElement.GetProperty("smart_resize").EnumerateArray())
        {
            foreach (string column in UtilsColumns.Keys)
            {
                data.Add(row.GetProperty("height").GetInt32(), row.GetProperty("width").GetInt32(), column);
            }
        }

        return data;
    }

    public static TheoryData<string> AllProcessorImages()
    {
        var data = new TheoryData<string>();
        foreach (var image in ImageProcessorCase.Images)
        {
            data.Add(image.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UtilsTable))]
    public void QwenVlUtils_GoldenTable_MatchesReference(int height, int width, string column)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "vision_utils_goldens.json")));
        var row = doc.RootElement.GetProperty("smart_resize").EnumerateArray()
            .First(r => r.GetProperty("height").GetInt32() == height && r.GetProperty("width").GetInt32() == width);
        var (min, max) = UtilsColumns[column];

        AssertOutcome(row.GetProperty(column), () => SmartResize.QwenVlUtils(height, width, Factor, min, max));
    }

    [Theory]
    [MemberData(nameof(AllProcessorImages))]
    public void SmartResize_ProcessorCaseImage_MatchesAllThreeRules(string name)
    {
        var image = ImageProcessorCase.Image(name);
        int height = image.GetProperty("height").GetInt32();
        int width = image.GetProperty("width").GetInt32();
        var fixture = ImageProcessorCase.Options;

        AssertOutcome(image.GetProperty("qwen_vl_utils_smart_resize_default"),
            () => SmartResize.QwenVlUtils(height, width, Factor, RealMinPixels, RealMaxPixels));
        AssertOutcome(image.GetProperty("hf_smart_resize_real_defaults"),
            () => SmartResize.Processor(height, width, Factor, RealMinPixels, RealMaxPixels));
        if (image.TryGetProperty("smart_resize", out var expected))
        {
            int[] size = ImageProcessorCase.IntArray(expected);
            if (size.Contains(0))
            {
                // The reference returns a 0 side and fails later in the resize; this fails at once.
                var error = Assert.Throws<InvalidInputException>(
                    () => SmartResize.Processor(height, width, Factor, fixture.MinPixels, fixture.MaxPixels));
                Assert.Equal(ImageErrorCodes.AspectRatio, error.Code);
            }
            else
            {
                Assert.Equal((size[0], size[1]), SmartResize.Processor(height, width, Factor, fixture.MinPixels, fixture.MaxPixels));
            }
        }
    }

    [Fact]
    public void Processor_HalfwayRatios_RoundHalfToEven()
    {
        // 42 / 28 = 1.5 rounds to 2 and 70 / 28 = 2.5 rounds to 2 (not 3): Python's round.
        Assert.Equal((56, 56), SmartResize.Processor(70, 42, Factor, RealMinPixels, RealMaxPixels));
        Assert.Equal((112, 56), SmartResize.Processor(98, 70, Factor, RealMinPixels, RealMaxPixels));
    }

    private static void AssertOutcome(JsonElement expected, Func<(int Height, int Width)> act)
    {
        if (expected.ValueKind == JsonValueKind.String)
        {
            string message = expected.GetString()!;
            var error = Assert.Throws<InvalidInputException>(() => act());
            string code = message.Contains("aspect ratio", StringComparison.Ordinal)
                ? ImageErrorCodes.AspectRatio
                : ImageErrorCodes.TooSmall;
            Assert.Equal(code, error.Code);
            return;
        }

        int[] size = ImageProcessorCase.IntArray(expected);
        Assert.Equal((size[0], size[1]), act());
    }
}
