using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Grains.Abstractions.Chat;
using Qwen2VL.Server.Frontend;

namespace Qwen2VL.Server.Tests.Frontend;

public sealed class MediaOptionsMappingTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    [InlineData("high")]
    public void ForImage_NotLow_KeepsTheRequestsBudgetOrNone(string? detail)
    {
        Assert.True(MediaOptionsMapping.ForImage(MediaProcessingOverrides.None, detail).IsEmpty);
        Assert.Equal(new MediaOptions { MinPixels = 100, MaxPixels = 5_000_000 },
            MediaOptionsMapping.ForImage(new MediaProcessingOverrides(100, 5_000_000, 2, 8), detail));
    }

    [Fact]
    public void ForImage_Low_CapsAtFourHundredFortyEightSquared()
    {
        Assert.Equal(new MediaOptions { MaxPixels = 200_704 }, MediaOptionsMapping.ForImage(MediaProcessingOverrides.None, "low"));
        // A smaller budget of the request stays; a larger one and a floor above the cap are brought down to it.
        Assert.Equal(new MediaOptions { MaxPixels = 50_000 }, MediaOptionsMapping.ForImage(new MediaProcessingOverrides(null, 50_000, null, null), "low"));
        Assert.Equal(new MediaOptions { MinPixels = 200_704, MaxPixels = 200_704 },
            MediaOptionsMapping.ForImage(new MediaProcessingOverrides(1_000_000, 2_000_000, null, null), "low"));
    }

    [Fact]
    public void ForVideo_TakesEveryOverride()
    {
        Assert.Equal(new MediaOptions { MinPixels = 1, MaxPixels = 2, Fps = 0.5, MaxFrames = 16 },
            MediaOptionsMapping.ForVideo(new MediaProcessingOverrides(1, 2, 0.5, 16)));
        Assert.True(MediaOptionsMapping.ForVideo(MediaProcessingOverrides.None).IsEmpty);
    }
}
