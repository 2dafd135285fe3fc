using Qwen2VL.Processing.Images;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Tests.Shared;

namespace Qwen2VL.Processing.Tests.Prompt;

public sealed class VisionPadExpanderTests
{
    private static readonly VisionTokenIds Tokens = VisionTokenIds.Load(TestPaths.Checkpoint);
    private static readonly VisionPadExpander Expander = new(Tokens, mergeSize: 2);

    public static TheoryData<string, string> Cases => ModelCase.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Expand_CollapsedModelCaseIds_ReproducesProcessorIds(string caseName, string prefix)
    {
        var golden = ModelCase.Load(caseName, prefix);
        int imageAt = 0;
        int videoAt = 0;
        for (int b = 0; b < golden.Batch; b++)
        {
            long[] expected = golden.InputIds[b].Where((_, i) => golden.AttentionMask[b][i] != 0).ToArray();
            long[] template = Collapse(expected);
            int images = template.Count(id => id == Tokens.ImagePad);
            int videos = template.Count(id => id == Tokens.VideoPad);

            long[] expanded = Expander.Expand(template, golden.ImageGrids[imageAt..(imageAt + images)], golden.VideoGrids[videoAt..(videoAt + videos)]);

            Assert.Equal(expected, expanded);
            imageAt += images;
            videoAt += videos;
        }
    }

    [Fact]
    public void Expand_TwoPadsOneImage_ThrowsWithBothCounts()
    {
        long[] template = [1, Tokens.VisionStart, Tokens.ImagePad, 2, Tokens.VisionStart, Tokens.ImagePad, 3];

        var error = Assert.Throws<InvalidInputException>(() => Expander.Expand(template, [new GridThw(1, 4, 4)], []));

        Assert.Equal(PromptErrorCodes.MediaCountMismatch, error.Code);
        Assert.Equal("the prompt has 2 <|image_pad|> placeholders but 1 image was given", error.Message);
    }

    [Fact]
    public void Expand_VideoWithoutPad_ThrowsWithBothCounts()
    {
        var error = Assert.Throws<InvalidInputException>(() => Expander.Expand([1, 2, 3], [], [new GridThw(2, 4, 4)]));

        Assert.Equal("the prompt has 0 <|video_pad|> placeholders but 1 video was given", error.Message);
    }

    [Fact]
    public void Expand_ImageAndVideo_ExpandsEachInOrder()
    {
        long[] template = [7, Tokens.ImagePad, 8, Tokens.VideoPad, 9, Tokens.ImagePad];

        long[] ids = Expander.Expand(template, [new GridThw(1, 2, 4), new GridThw(1, 2, 2)], [new GridThw(2, 2, 2)]);

        long[] expected = [7, .. Enumerable.Repeat(Tokens.ImagePad, 2), 8, .. Enumerable.Repeat(Tokens.VideoPad, 2), 9, Tokens.ImagePad];
        Assert.Equal(expected, ids);
    }

    private static long[] Collapse(long[] ids) =>
        ids.Where((id, i) => !(i > 0 && ids[i - 1] == id && (id == Tokens.ImagePad || id == Tokens.VideoPad))).ToArray();
}
