using Qwen2VL.Processing.Images;

namespace Qwen2VL.Processing.Tests.Images;

/// <summary>Every image of the <c>h_image_processor</c> case, from its PNG to the patch matrix.</summary>
public sealed class ImageProcessorGoldenTests
{
    private static readonly ImageDecoder Decoder = new();

    public static TheoryData<string> ValidImages => ImageProcessorCase.ValidImageNames();

    [Theory]
    [MemberData(nameof(ValidImages))]
    public void Decode_FixturePng_MatchesRawPixelsAsRgb(string name)
    {
        var tensors = ImageProcessorCase.Tensors;
        if (!tensors.Contains($"{name}__raw"))
        {
            return; // only small images carry their raw pixels
        }

        var raw = tensors[$"{name}__raw"];
        byte[] expected = ToRgb(raw.AsUInt8(), raw.Shape.Length == 2 ? 1 : (int)raw.Shape[2]);
        var image = Decoder.Decode(ImageProcessorCase.FileBytes(name));

        Assert.Equal((int)raw.Shape[0], image.Height);
        Assert.Equal((int)raw.Shape[1], image.Width);
        Assert.Equal(expected, image.Pixels);
    }

    [Theory]
    [MemberData(nameof(ValidImages))]
    public void Resize_FixtureImage_MatchesPillowBicubicExactly(string name)
    {
        var options = ImageProcessorCase.Options;
        var image = Decoder.Decode(ImageProcessorCase.FileBytes(name));
        var expected = ImageProcessorCase.Tensors[$"{name}__resized_uint8"];
        var (height, width) = ImageSizing.TargetSize(image.Height, image.Width, options);

        var resized = BicubicResampler.Resize(image, width, height);

        Assert.Equal([expected.Shape[0], expected.Shape[1]], new long[] { resized.Height, resized.Width });
        byte[] want = expected.AsUInt8();
        int mismatches = want.Where((b, i) => b != resized.Pixels[i]).Count();
        Assert.True(mismatches == 0, $"{mismatches} of {want.Length} bytes differ from Pillow");
    }

    [Theory]
    [MemberData(nameof(ValidImages))]
    public void PreprocessImage_FixturePng_GridMatchesProcessor(string name)
    {
        var preprocessor = new ImagePreprocessor(ImageProcessorCase.Options);
        long[] expected = ImageProcessorCase.Tensors[$"{name}__image_grid_thw"].AsInt64();
        var json = ImageProcessorCase.Image(name);

        var pixels = preprocessor.PreprocessImage(ImageProcessorCase.FileBytes(name));

        Assert.Equal(expected, new long[] { pixels.Grid.T, pixels.Grid.H, pixels.Grid.W });
        Assert.Equal(json.GetProperty("num_patches").GetInt32(), pixels.PatchCount);
        Assert.Equal(json.GetProperty("num_llm_tokens").GetInt32(), pixels.Grid.LlmTokenCount(2));
        Assert.Equal(1176, pixels.Columns);
    }

    [Theory]
    [MemberData(nameof(ValidImages))]
    public void PreprocessImage_FixturePng_PixelValuesMatchProcessor(string name)
    {
        var tensors = ImageProcessorCase.Tensors;
        var pixels = new ImagePreprocessor(ImageProcessorCase.Options).PreprocessImage(ImageProcessorCase.FileBytes(name));
        const int columns = 1176;

        // Same float64 → float32 → float32 arithmetic as the reference, so the match is bitwise (README allows 1e-6).

        if (tensors.Contains($"{name}__pixel_values"))
        {
            PixelAssert.Close(tensors[$"{name}__pixel_values"].AsFloat32(), pixels.Values, 0f);
            return;
        }

        float[] first = tensors[$"{name}__pixel_values_first16"].AsFloat32();
        float[] last = tensors[$"{name}__pixel_values_last16"].AsFloat32();
        double[] rowSums = System.Runtime.InteropServices.MemoryMarshal
            .Cast<byte, double>(tensors[$"{name}__pixel_values_rowsum_f64"].Data).ToArray();
        PixelAssert.Close(first, pixels.Values.AsSpan(0, 16 * columns).ToArray(), 0f);
        PixelAssert.Close(last, pixels.Values.AsSpan(pixels.Values.Length - (16 * columns)).ToArray(), 0f);
        Assert.Equal(rowSums.Length, pixels.PatchCount);
        for (int row = 0; row < rowSums.Length; row++)
        {
            double sum = 0;
            foreach (float v in pixels.Values.AsSpan(row * columns, columns))
            {
                sum += v;
            }

            Assert.True(Math.Abs(sum - rowSums[row]) <= 1e-3, $"row {row}: sum {sum} vs reference {rowSums[row]}");
        }
    }

    private static byte[] ToRgb(byte[] raw, int channels)
    {
        int pixels = raw.Length / channels;
        var rgb = new byte[pixels * 3];
        for (int i = 0; i < pixels; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                rgb[(i * 3) + c] = raw[(i * channels) + Math.Min(c, channels - 1)];
            }
        }

        return rgb;
    }
}
