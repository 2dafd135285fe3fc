using System.Text.Json;
using Qwen2VL.Processing.Images;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Images;

/// <summary>pixel_values and grids of every model case, recomputed from the case's PNG inputs.</summary>
public sealed class ModelCaseVisionTests
{
    private static readonly ImagePreprocessor Preprocessor = new(VisionPreprocessorOptions.Load(TestPaths.Checkpoint));

    /// <summary>(case, tensor prefix, image files): the images of one processor call, in prompt order.</summary>
    public static TheoryData<string, string> ImageCalls() => new()
    {
        { "b1_100x60", "" },
        { "b2_333x217", "" },
        { "b3_28x28", "" },
        { "b4_wide_1400x40", "" },
        { "c_two_images", "" },
        { "f_batch_left_pad", "" },
        { "e_multi_turn", "turn1_" },
        { "e_multi_turn", "turn2_" },
    };

    [Theory]
    [MemberData(nameof(ImageCalls))]
    public void PreprocessImage_ModelCaseInputs_MatchProcessorOutput(string caseName, string prefix)
    {
        var tensors = GoldenTensors.ForCase(caseName);
        long[] grids = tensors[$"{prefix}image_grid_thw"].AsInt64();
        string[] files = ImageFiles(caseName).Take(grids.Length / 3).ToArray();

        var items = files.Select(f => Preprocessor.PreprocessImage(File.ReadAllBytes(Path.Combine(TestPaths.Cases, caseName, f)))).ToList();

        Assert.Equal(grids, items.SelectMany(p => new long[] { p.Grid.T, p.Grid.H, p.Grid.W }).ToArray());
        PixelAssert.Close(tensors[$"{prefix}pixel_values"].AsFloat32(), items.SelectMany(p => p.Values).ToArray(), 1e-6f);
    }

    [Fact]
    public void PreprocessFrames_VideoCaseFrames_MatchProcessorOutput()
    {
        var tensors = GoldenTensors.ForCase("d_video");
        var decoder = new ImageDecoder();
        var frames = Directory.GetFiles(Path.Combine(TestPaths.Cases, "d_video"), "video0_frame*.png")
            .Order(StringComparer.Ordinal)
            .Select(f => decoder.Decode(File.ReadAllBytes(f)))
            .ToList();

        var video = Preprocessor.PreprocessFrames(frames);

        Assert.Equal(tensors["video_grid_thw"].AsInt64(), new long[] { video.Grid.T, video.Grid.H, video.Grid.W });
        PixelAssert.Close(tensors["pixel_values_videos"].AsFloat32(), video.Values, 1e-6f);
    }

    private static IEnumerable<string> ImageFiles(string caseName)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Cases, caseName, "case.json")));
        return doc.RootElement.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("file").GetString()!).ToArray();
    }
}
