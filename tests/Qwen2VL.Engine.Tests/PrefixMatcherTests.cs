namespace Qwen2VL.Engine.Tests;

public class PrefixMatcherTests
{
    private static readonly int[] Cached = { 1, 2, 9, 9, 9, 9, 3, 4 };

    [Fact]
    public void Match_SameTokensSameImage_ReusesWholeCache()
    {
        var media = new[] { new MediaSpan(2, 4, "img-a") };
        int[] prompt = { 1, 2, 9, 9, 9, 9, 3, 4, 5, 6 };

        Assert.Equal(8, PrefixMatcher.Match(Cached, media, prompt, media));
    }

    [Fact]
    public void Match_DifferentImageSamePads_StopsAtTheImage()
    {
        int[] prompt = { 1, 2, 9, 9, 9, 9, 3, 4, 5 };

        int reused = PrefixMatcher.Match(
            Cached, new[] { new MediaSpan(2, 4, "img-a") }, prompt, new[] { new MediaSpan(2, 4, "img-b") });

        Assert.Equal(2, reused);
    }

    [Fact]
    public void Match_TokensDivergeBeforeImage_StopsAtDivergence()
    {
        int[] prompt = { 1, 7, 9, 9, 9, 9 };
        var media = new[] { new MediaSpan(2, 4, "img-a") };

        Assert.Equal(1, PrefixMatcher.Match(Cached, media, prompt, media));
    }

    [Fact]
    public void Match_PromptHasNoMediaWhereCacheHadOne_StopsAtTheImage()
    {
        int[] prompt = { 1, 2, 9, 9 };

        Assert.Equal(2, PrefixMatcher.Match(Cached, new[] { new MediaSpan(2, 4, "img-a") }, prompt, Array.Empty<MediaSpan>()));
    }
}
